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

/**
 * The portal's plans (protocol §9.3): the admin setting picks one of these, or the deployment default from env. Bitrix24
 * does not say which plan a portal has in a way the template can trust (app.info's LICENSE names are free-form), so a
 * person chooses, and the slow-down below covers a wrong choice.
 */
export const BUCKET_PLANS = {
  standard: { burst: 50, perSec: 2 },
  enterprise: { burst: 250, perSec: 5 },
} as const satisfies Record<string, BucketParams>;

/**
 * Adaptive slow-down for a portal whose bucket others drain too (another app, an integration, a webhook on the same
 * portal: Bitrix24 counts them all). A QUERY_LIMIT_EXCEEDED halves the share of the portal's bucket we use, down to
 * SLOW_FLOOR; after QUIET_MS without another one the share grows back linearly by RECOVERY_PER_SEC. A share of 1
 * means the whole configured bucket.
 */
export interface Slowdown {
  factor: number;
  /** Epoch milliseconds of the last decrease. */
  slowAt: number;
}

export const SLOW_DECREASE = 0.5;
export const SLOW_FLOOR = 0.1;
export const QUIET_MS = 30_000;
export const RECOVERY_PER_SEC = 0.02;
/**
 * Requests granted before a decrease can still come back with QUERY_LIMIT_EXCEEDED after it; within this window they
 * belong to the episode already counted, so a burst of refusals halves the share once, not once per request.
 */
export const EPISODE_MS = 2_000;

/** The share in force at `now`. */
export function factorAt(s: Slowdown, now: number): number {
  if (s.factor >= 1) return 1;
  const recovered = (Math.max(0, now - s.slowAt - QUIET_MS) / 1000) * RECOVERY_PER_SEC;
  return Math.min(1, s.factor + recovered);
}

/** The slow-down after a QUERY_LIMIT_EXCEEDED at `now`, or null when it belongs to the episode already counted. */
export function slowedDown(s: Slowdown, now: number): Slowdown | null {
  if (s.factor < 1 && now - s.slowAt < EPISODE_MS) return null;
  return { factor: Math.max(SLOW_FLOOR, factorAt(s, now) * SLOW_DECREASE), slowAt: now };
}

/**
 * What the limiter enforces for a portal: its bucket scaled by the share (burst too: whoever else uses the bucket
 * takes room from the burst as well as from the rate), then the safety margin.
 */
export function enforced(p: BucketParams, factor: number): BucketParams {
  return effective({ burst: Math.max(1, Math.floor(p.burst * factor)), perSec: p.perSec * factor });
}

/** One portal's bucket and slow-down, as the RateBucket row (or the in-memory limiter) keeps them. */
export type SlowBucket = BucketState & Slowdown;

/** A slot at `now`, in the portal's bucket scaled by the share in force. */
export function takeFrom(row: SlowBucket, p: BucketParams, now: number): ReturnType<typeof take> {
  return take(row, enforced(p, factorAt(row, now)), now);
}

/**
 * The row after a QUERY_LIMIT_EXCEEDED at `now`, or null when the episode is already counted. Bitrix24's bucket is
 * full at that moment whatever ours says, so ours is set full too, at the lowered share: the next slot comes after
 * one drain at the lowered rate (more, if ours was over the lowered burst, would only stall).
 */
export function penalized(row: SlowBucket, p: BucketParams, now: number): SlowBucket | null {
  const slowed = slowedDown(row, now);
  return slowed && { ...slowed, level: enforced(p, slowed.factor).burst, at: now };
}
