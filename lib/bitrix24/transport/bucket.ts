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

/**
 * Headroom against Bitrix24's own bucket. Requests reach Bitrix24 a little after we grant them, by a delay that
 * varies (event loop, network, TLS); grants spread over that spread can arrive together. The burst keeps room for
 * JITTER_MS worth of requests at the drain rate (never fewer than 3), and the rate stays 5% under the portal's, which
 * also absorbs small clock differences between instances.
 */
export const JITTER_MS = 500;
export const MIN_SAFETY_SLOTS = 3;
export const SAFETY_RATE = 0.95;

export function effective(p: BucketParams): BucketParams {
  const slots = Math.max(MIN_SAFETY_SLOTS, Math.ceil((p.perSec * JITTER_MS) / 1000));
  return { burst: Math.max(1, p.burst - slots), perSec: p.perSec * SAFETY_RATE };
}

/** Takes one slot at `now`, or says how long to wait before one is free. */
export function take(state: BucketState, p: BucketParams, now: number): { ok: true; next: BucketState } | { ok: false; waitMs: number } {
  const level = Math.max(0, state.level - (Math.max(0, now - state.at) / 1000) * p.perSec);
  if (level + 1 <= p.burst) return { ok: true, next: { level: level + 1, at: now } };
  return { ok: false, waitMs: Math.ceil(((level + 1 - p.burst) / p.perSec) * 1000) };
}
