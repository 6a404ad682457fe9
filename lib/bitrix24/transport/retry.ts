import type { B24Error } from "@/lib/errors";

/**
 * When to repeat a failed REST request. Pure: time and randomness come
 * in as options, so every branch is testable without waiting.
 *
 * - 503 QUERY_LIMIT_EXCEEDED is refused before the method runs, so any method may be repeated.
 * - 5xx and transport errors may have happened after the method ran, so only reads are repeated: a repeated
 *   `crm.deal.add` could create a second deal.
 * - 429 OPERATION_TIME_LIMIT lifts at `operating_reset_at`; the client turns that into `retryAfterSec`, and we wait
 *   only when it is short enough to do inside a user's request.
 */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest wait for an operating-limit reset or a Retry-After; anything longer fails at once. */
  maxOperatingWaitMs?: number;
  /** [0, 1), injectable for tests. */
  random?: () => number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_MAX_OPERATING_WAIT_MS = 30_000;
const DEFAULT_BASE_MS = 500;
const DEFAULT_CAP_MS = 8_000;
/** The standard bucket drains one request per 500 ms; retrying sooner cannot succeed. */
const QUERY_LIMIT_FLOOR_MS = 500;

/** Hard errors: a repeat gets the same answer, and for OVERLOAD_LIMIT support blocked the app on purpose. */
const NEVER = new Set([
  "OVERLOAD_LIMIT",
  "ACCESS_DENIED",
  "insufficient_scope",
  "NO_AUTH_FOUND",
  "PORTAL_MOVED",
  "PORTAL_DELETED",
  "PAYMENT_REQUIRED",
  "expired_token",
  "invalid_token",
]);

const READ_METHODS = new Set([
  "profile",
  "scope",
  "methods",
  "app.info",
  "server.time",
  "user.admin",
  "method.get",
  "feature.get",
]);
const READ_VERBS = new Set(["list", "get", "current", "fields"]);
/** Named like reads, but each call changes state: event.offline.get deletes or reserves the rows it returns. */
const NOT_READS = new Set(["event.offline.get"]);

/** True when running the method twice has the same effect as once. A batch is a read only if every command is. */
export function isReadMethod(method: string, batchMethods?: readonly string[]): boolean {
  const m = method.toLowerCase();
  if (m === "batch") {
    return !!batchMethods && batchMethods.length > 0 && batchMethods.every((s) => s.toLowerCase() !== "batch" && isReadMethod(s));
  }
  if (READ_METHODS.has(m)) return true;
  if (NOT_READS.has(m)) return false;
  const verb = m.slice(m.lastIndexOf(".") + 1);
  return m.includes(".") && READ_VERBS.has(verb);
}

export interface RetryPolicy {
  /**
   * `attempt` is the 1-based number of the attempt that just failed; `batchMethods` are the methods of a batch's
   * commands (unknown → treated as writes).
   */
  decide(error: B24Error, attempt: number, method: string, batchMethods?: readonly string[]): RetryDecision;
}

export function createRetryPolicy(opts: RetryOptions = {}): RetryPolicy {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const base = opts.baseDelayMs ?? DEFAULT_BASE_MS;
  const cap = opts.maxDelayMs ?? DEFAULT_CAP_MS;
  const maxWait = opts.maxOperatingWaitMs ?? DEFAULT_MAX_OPERATING_WAIT_MS;
  const random = opts.random ?? Math.random;

  /** Full jitter (AWS): uniform in [floor, min(cap, base·2^(n-1))], raised to Retry-After when that is given. */
  const backoff = (error: B24Error, attempt: number, floor: number): RetryDecision => {
    const ceiling = Math.max(floor, Math.min(cap, base * 2 ** (attempt - 1)));
    const jittered = Math.floor(floor + random() * (ceiling - floor));
    const after = error.retryAfterSec === undefined ? 0 : error.retryAfterSec * 1000;
    if (after > maxWait) return { retry: false };
    return { retry: true, delayMs: Math.max(jittered, after) };
  };

  return {
    decide(error, attempt, method, batchMethods) {
      if (attempt >= maxAttempts) return { retry: false };
      const upstream = error.upstream ?? "";
      if (upstream === "QUERY_LIMIT_EXCEEDED") return backoff(error, attempt, QUERY_LIMIT_FLOOR_MS);
      if (upstream === "OPERATION_TIME_LIMIT") {
        if (error.retryAfterSec === undefined) return { retry: false };
        const waitMs = Math.max(0, error.retryAfterSec * 1000);
        return waitMs <= maxWait ? { retry: true, delayMs: waitMs } : { retry: false };
      }
      if (NEVER.has(upstream) || error.code !== "upstream_unavailable") return { retry: false };
      // No upstreamStatus: the request failed in transport (refused, reset, timed out).
      const serverSide = error.upstreamStatus === undefined || error.upstreamStatus >= 500;
      if (!serverSide || !isReadMethod(method, batchMethods)) return { retry: false };
      return backoff(error, attempt, 0);
    },
  };
}

/** The default policy (Math.random, 3 attempts, 30 s operating wait). */
export const defaultRetryPolicy: RetryPolicy = createRetryPolicy();

export function decide(error: B24Error, attempt: number, method: string, batchMethods?: readonly string[]): RetryDecision {
  return defaultRetryPolicy.decide(error, attempt, method, batchMethods);
}
