import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { processLocal } from "@/lib/process-local";
import { effective, take, type BucketParams, type BucketState } from "./bucket";
import { b24Config } from "../config";
import type { RateLimiter } from "../ports";

/** Acquisitions for one portal queue up inside the process; subclasses take the actual slot. */
abstract class QueuedLimiter implements RateLimiter {
  protected readonly params: BucketParams;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    params: BucketParams,
    protected readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.params = effective(params);
  }

  acquire(memberId: string, signal?: AbortSignal): Promise<void> {
    const prev = this.queues.get(memberId) ?? Promise.resolve();
    const mine = prev.then(() => this.takeSlot(memberId, signal));
    const tail = mine.catch(() => {});
    this.queues.set(memberId, tail);
    void tail.then(() => {
      if (this.queues.get(memberId) === tail) this.queues.delete(memberId);
    });
    return mine;
  }

  protected abstract takeSlot(memberId: string, signal?: AbortSignal): Promise<void>;
}

/**
 * Per-portal leaky bucket shared through the database, so several app instances together never exceed the portal's
 * Bitrix24 bucket (which counts every request from every app on that portal). One row per portal, updated by
 * compare-and-swap on `version`; inside one process, acquisitions for a portal queue up so the row sees little
 * contention. Assumes instance clocks are NTP-synchronised.
 */
export class DbRateLimiter extends QueuedLimiter {
  protected async takeSlot(memberId: string, signal?: AbortSignal): Promise<void> {
    for (let conflicts = 0; ; ) {
      signal?.throwIfAborted();
      const row = await db().rateBucket.upsert({ where: { memberId }, create: { memberId }, update: {} });
      const now = Date.now();
      const r = take({ level: row.level, at: row.at }, this.params, now);
      if (!r.ok) {
        await this.sleep(r.waitMs + Math.random() * 20);
        continue;
      }
      const won = await db().rateBucket.updateMany({
        where: { memberId, version: row.version },
        data: { level: r.next.level, at: r.next.at, version: { increment: 1 } },
      });
      if (won.count === 1) return;
      // Another instance took a slot between our read and write; re-read after a short, growing pause.
      conflicts++;
      await this.sleep(Math.random() * Math.min(50, 2 * conflicts));
    }
  }
}

/**
 * The same bucket kept in memory, for the embedded SQLite deployment: SQLite means exactly one app instance, so there
 * is nobody to share with, and skipping two write transactions per request is most of the proxy's overhead.
 */
export class MemoryRateLimiter extends QueuedLimiter {
  private readonly buckets = new Map<string, BucketState>();

  protected async takeSlot(memberId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const r = take(this.buckets.get(memberId) ?? { level: 0, at: 0 }, this.params, Date.now());
      if (r.ok) {
        this.buckets.set(memberId, r.next);
        return;
      }
      await this.sleep(r.waitMs);
    }
  }
}

/**
 * The one limiter every request to a portal goes through, REST client and sign-in profile read alike: Bitrix24
 * counts them all in one bucket. PostgreSQL (several instances): the bucket lives in the database. SQLite (one
 * instance): in memory, once per process.
 */
export function sharedLimiter(): RateLimiter {
  return processLocal<RateLimiter>("b24.limiter", () =>
    env().DATABASE_URL.startsWith("file:") ? new MemoryRateLimiter(b24Config().rateLimit) : new DbRateLimiter(b24Config().rateLimit),
  );
}
