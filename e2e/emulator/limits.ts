import type { EmulatorState, PortalState } from "./state";

const WINDOW_BUCKETS = 10;
const BUCKET_SEC = 60;
/** The core does not record calls faster than 0.1 s. */
const MIN_RECORDED_SEC = 0.1;

export function bucketParams(state: EmulatorState, portal: PortalState): { burst: number; drainPerSec: number } | null {
  const mode = state.options.rateLimit ?? "standard";
  if (mode === "off") return null;
  if (typeof mode === "object") return mode;
  const plan = portal.plan ?? mode;
  return plan === "enterprise" ? { burst: 250, drainPerSec: 5 } : { burst: 50, drainPerSec: 2 };
}

/** Leaky bucket per portal: each request adds 1, the level drains continuously; over `burst` the request is refused. */
export function takeRequestSlot(state: EmulatorState, portal: PortalState): boolean {
  const p = bucketParams(state, portal);
  if (!p) return true;
  const now = state.clock.nowMs();
  const b = portal.bucket;
  b.level = Math.max(0, b.level - ((now - b.lastMs) / 1000) * p.drainPerSec);
  b.lastMs = now;
  if (b.level + 1 > p.burst) return false;
  b.level += 1;
  return true;
}

function minuteOf(ms: number): number {
  return Math.floor(ms / 1000 / BUCKET_SEC);
}

function window(state: EmulatorState, portal: PortalState, method: string): Map<number, number> {
  const key = `${state.app.clientId}|${method}`;
  let w = portal.operating.get(key);
  if (!w) {
    w = new Map();
    portal.operating.set(key, w);
  }
  const oldest = minuteOf(state.clock.nowMs()) - WINDOW_BUCKETS + 1;
  for (const m of w.keys()) if (m < oldest) w.delete(m);
  return w;
}

export interface OperatingStatus {
  operating: number;
  resetAt: number;
}

/** Sum over ten one-minute buckets; `resetAt` is when the oldest non-empty bucket leaves the window. */
export function operatingStatus(state: EmulatorState, portal: PortalState, method: string): OperatingStatus {
  const w = window(state, portal, method);
  let sum = 0;
  let oldest = Infinity;
  for (const [m, v] of w) {
    sum += v;
    oldest = Math.min(oldest, m);
  }
  const nowSec = state.clock.nowSec();
  const resetAt = oldest === Infinity ? nowSec + WINDOW_BUCKETS * BUCKET_SEC : (oldest + WINDOW_BUCKETS) * BUCKET_SEC;
  return { operating: Math.round(sum * 10000) / 10000, resetAt };
}

export function operatingBlocked(state: EmulatorState, portal: PortalState, method: string): boolean {
  const limit = state.options.operatingLimitSec ?? 480;
  return operatingStatus(state, portal, method).operating > limit;
}

export function recordOperating(state: EmulatorState, portal: PortalState, method: string, costMs: number): void {
  const sec = costMs / 1000;
  if (sec < MIN_RECORDED_SEC) return;
  const w = window(state, portal, method);
  const m = minuteOf(state.clock.nowMs());
  w.set(m, (w.get(m) ?? 0) + sec);
}

export function methodCostMs(state: EmulatorState, method: string, params: unknown): number {
  const fixed = state.methodCost.get(method) ?? state.methodCost.get("*");
  if (fixed !== undefined) return fixed;
  return state.options.methodCostMs?.(method, params) ?? 0;
}
