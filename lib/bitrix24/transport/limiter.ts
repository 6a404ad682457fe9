import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { factorAt, penalized, takeFrom, type BucketParams, type Slowdown, type SlowBucket } from "./bucket";
import { cachedBucketParams, type BucketParamsSource, type CachedBucketParams } from "./bucket-params";
import { b24Config } from "../config";
import { readBucketSetting } from "../store/bucket-settings";
import type { RateLimiter } from "../ports";

export interface LimiterOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds; the bucket and the slow-down run on it. */
  now?: () => number;
}

/**
 * Acquisitions for one portal queue up inside the process; subclasses take the actual slot. The bucket enforced is
 * the portal's own (`params`), scaled by its slow-down share (bucket.ts).
 */
abstract class QueuedLimiter implements RateLimiter {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly params: BucketParamsSource;
  protected readonly sleep: (ms: number) => Promise<void>;
  protected readonly now: () => number;

  constructor(params: BucketParams | BucketParamsSource, opts: LimiterOptions = {}) {
    this.params = typeof params === "function" ? params : () => params;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  acquire(memberId: string, signal?: AbortSignal): Promise<void> {
    const prev = this.queues.get(memberId) ?? Promise.resolve();
    const mine = prev.then(async () => this.takeSlot(memberId, await this.params(memberId), signal));
    const tail = mine.catch(() => {});
    this.queues.set(memberId, tail);
    void tail.then(() => {
      if (this.queues.get(memberId) === tail) this.queues.delete(memberId);
    });
    return mine;
  }

  /**
   * The portal answered QUERY_LIMIT_EXCEEDED although we kept within its bucket: something else uses it too. Lowers
   * the share and counts the bucket as full from now. Never throws: a failed write only means no slow-down.
   */
  async penalize(memberId: string): Promise<void> {
    try {
      const params = await this.params(memberId);
      const slowed = await this.slowDown(memberId, params);
      if (slowed) log.warn("b24.limiter.slow_down", { memberId, factor: slowed.factor });
    } catch (err) {
      log.error("b24.limiter.slow_down_failed", { memberId, error: String(err) });
    }
  }

  /** The share of the portal's bucket in force now (1 = all of it). */
  async factorOf(memberId: string): Promise<number> {
    const row = await this.read(memberId);
    return row ? factorAt(row, this.now()) : 1;
  }

  protected abstract takeSlot(memberId: string, params: BucketParams, signal?: AbortSignal): Promise<void>;
  protected abstract slowDown(memberId: string, params: BucketParams): Promise<Slowdown | null>;
  protected abstract read(memberId: string): Promise<SlowBucket | null>;
}

/**
 * Per-portal leaky bucket shared through the database, so several app instances together never exceed the portal's
 * Bitrix24 bucket (which counts every request from every app on that portal). One row per portal, updated by
 * compare-and-swap on `version`, the slow-down included; inside one process, acquisitions for a portal queue up so
 * the row sees little contention. Assumes instance clocks are NTP-synchronised.
 */
export class DbRateLimiter extends QueuedLimiter {
  protected async takeSlot(memberId: string, params: BucketParams, signal?: AbortSignal): Promise<void> {
    for (let conflicts = 0; ; ) {
      signal?.throwIfAborted();
      const row = await this.upsert(memberId);
      const now = this.now();
      const r = takeFrom(row, params, now);
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

  protected async slowDown(memberId: string, params: BucketParams): Promise<Slowdown | null> {
    for (let conflicts = 0; conflicts < 20; conflicts++) {
      const row = await this.upsert(memberId);
      const next = penalized(row, params, this.now());
      if (!next) return null;
      const won = await db().rateBucket.updateMany({ where: { memberId, version: row.version }, data: { ...next, version: { increment: 1 } } });
      if (won.count === 1) return next;
      await this.sleep(Math.random() * Math.min(50, 2 * conflicts));
    }
    return null;
  }

  protected read(memberId: string): Promise<SlowBucket | null> {
    return db().rateBucket.findUnique({ where: { memberId } });
  }

  private upsert(memberId: string) {
    return db().rateBucket.upsert({ where: { memberId }, create: { memberId }, update: {} });
  }
}

/**
 * The same bucket kept in memory, for the embedded SQLite deployment: SQLite means exactly one app instance, so there
 * is nobody to share with, and skipping two write transactions per request is most of the proxy's overhead.
 */
export class MemoryRateLimiter extends QueuedLimiter {
  private readonly buckets = new Map<string, SlowBucket>();

  protected async takeSlot(memberId: string, params: BucketParams, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const row = this.row(memberId);
      const r = takeFrom(row, params, this.now());
      if (r.ok) {
        this.buckets.set(memberId, { ...row, ...r.next });
        return;
      }
      await this.sleep(r.waitMs);
    }
  }

  protected async slowDown(memberId: string, params: BucketParams): Promise<Slowdown | null> {
    const next = penalized(this.row(memberId), params, this.now());
    if (next) this.buckets.set(memberId, next);
    return next;
  }

  protected async read(memberId: string): Promise<SlowBucket | null> {
    return this.buckets.get(memberId) ?? null;
  }

  private row(memberId: string): SlowBucket {
    return this.buckets.get(memberId) ?? { level: 0, at: 0, factor: 1, slowAt: 0 };
  }
}

/** How long a portal's bucket setting is trusted in process; the settings page promises this much. */
export const BUCKET_SETTING_TTL_MS = 30_000;

/** The portal's stored bucket, else B24_RATE_LIMIT_BURST / B24_RATE_LIMIT_PER_SEC; cached per process. */
export function portalBucketParams(): CachedBucketParams {
  return processLocal("b24.bucket-params", () =>
    cachedBucketParams({
      read: readBucketSetting,
      fallback: b24Config().rateLimit,
      ttlMs: BUCKET_SETTING_TTL_MS,
      onError: (memberId, err) => log.error("b24.limiter.params_read_failed", { memberId, error: String(err) }),
    }),
  );
}

/**
 * The one limiter every request to a portal goes through, REST client and sign-in profile read alike: Bitrix24
 * counts them all in one bucket. PostgreSQL (several instances): the bucket lives in the database. SQLite (one
 * instance): in memory, once per process.
 */
export function sharedLimiter(): DbRateLimiter | MemoryRateLimiter {
  return processLocal("b24.limiter", () => {
    const params = portalBucketParams().get;
    return env().DATABASE_URL.startsWith("file:") ? new MemoryRateLimiter(params) : new DbRateLimiter(params);
  });
}
