/**
 * Leaky-bucket arithmetic, the same model Bitrix24 uses (each request adds 1; the level drains continuously at
 * `perSec`; a request that would take the level over `burst` is refused). Pure, so the limiter's decisions are
 * unit-tested without a database or a clock.
 */
export interface BucketState {
  level: number;
  /** Epoch milliseconds of the last update. */
  at: number;
}

export interface BucketParams {
  burst: number;
  perSec: number;
}

/** Headroom against Bitrix24's own bucket: requests arrive a little after we grant them, and clocks differ slightly. */
export const SAFETY_SLOTS = 3;
export const SAFETY_RATE = 0.95;

export function effective(p: BucketParams): BucketParams {
  return { burst: Math.max(1, p.burst - SAFETY_SLOTS), perSec: p.perSec * SAFETY_RATE };
}

/** Takes one slot at `now`, or says how long to wait before one is free. */
export function take(state: BucketState, p: BucketParams, now: number): { ok: true; next: BucketState } | { ok: false; waitMs: number } {
  const level = Math.max(0, state.level - (Math.max(0, now - state.at) / 1000) * p.perSec);
  if (level + 1 <= p.burst) return { ok: true, next: { level: level + 1, at: now } };
  return { ok: false, waitMs: Math.ceil(((level + 1 - p.burst) / p.perSec) * 1000) };
}
