import { processLocal } from "@/lib/process-local";

/**
 * What Bitrix24 said about a method's operating time, per portal. Every answer carries `time.operating_reset_at`
 * (when the oldest of the ten one-minute buckets expires); a 429 OPERATION_TIME_LIMIT does not, so the block lasts
 * until the last reset Bitrix24 reported, and at least MIN_BLOCK_MS when none was seen (the SDKs wait ≥ 10 s).
 * https://apidocs.bitrix24.com/limits.html
 *
 * One instance per process is shared by every REST client, so a proxied request built a moment later knows the block
 * and sends nothing. On PostgreSQL the composition root adds the database (operating-shared.ts): an instance
 * that hits a 429 takes the reset another instance recorded.
 */
export const MIN_BLOCK_MS = 10_000;

export interface OperatingLimits {
  noteReset(memberId: string, method: string, resetAtSec: number): void;
  /** Bitrix24 answered 429 for `method`: records the block and returns the epoch ms it lasts until. */
  block(memberId: string, method: string, nowMs: number): Promise<number>;
  /** Epoch ms until which `method` is blocked for the portal, or 0. Never a network or database call. */
  blockedUntil(memberId: string, method: string, nowMs: number): number;
}

/** Where blocks are shared beyond the process (PostgreSQL); absent on single-instance SQLite. */
export interface SharedBlocks {
  read(memberId: string, method: string): Promise<number | null>;
  write(memberId: string, method: string, untilMs: number): Promise<void>;
}

/** Bounded: the oldest entries go first once a process has seen this many (portal, method) pairs. */
const MAX_ENTRIES = 50_000;

export function createOperatingLimits(shared?: SharedBlocks): OperatingLimits {
  const resets = new Map<string, number>();
  const blocks = new Map<string, number>();
  const key = (memberId: string, method: string) => `${memberId}|${method.toLowerCase()}`;
  const put = (map: Map<string, number>, k: string, v: number) => {
    map.delete(k);
    map.set(k, v);
    if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
  };
  return {
    noteReset(memberId, method, resetAtSec) {
      put(resets, key(memberId, method), resetAtSec * 1000);
    },
    async block(memberId, method, nowMs) {
      const k = key(memberId, method);
      const known = Math.max(resets.get(k) ?? 0, (await shared?.read(memberId, method).catch(() => null)) ?? 0);
      const until = Math.max(known, nowMs + MIN_BLOCK_MS);
      put(blocks, k, until);
      await shared?.write(memberId, method, until).catch(() => undefined);
      return until;
    },
    blockedUntil(memberId, method, nowMs) {
      const k = key(memberId, method);
      const until = blocks.get(k) ?? 0;
      if (until > nowMs) return until;
      if (until) blocks.delete(k);
      return 0;
    },
  };
}

/** A process-wide instance without a database, for clients built outside the app (tests, benchmarks). */
export function processOperatingLimits(): OperatingLimits {
  return processLocal("b24.operating.local", () => createOperatingLimits());
}
