import { processLocal } from "@/lib/process-local";

/**
 * In-process metrics in Prometheus' text format (exposition format 0.0.4), without a client library: a handful of
 * counters and one histogram need no dependency. Labels are our own small vocabularies (outcomes, error codes); no
 * label ever holds a member id, host, user or token, for privacy and so the series count stays bounded.
 */
type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  series: Map<string, Series>;
}

/** A bound on series per metric: past it new label sets are counted as `other`, so a stream of odd codes cannot grow memory. */
export const MAX_SERIES = 50;
/** Seconds; a limiter wait is 0 when the bucket has room and up to a few seconds when a portal's bucket is drained. */
export const WAIT_BUCKETS = [0.005, 0.05, 0.25, 1, 2.5, 5, 10, 30] as const;

interface Registry {
  families: Map<string, Family>;
  wait: { counts: number[]; sum: number; count: number };
  startedAt: number;
}

// Process-wide: counters bumped in one route's bundle must be the ones /api/metrics renders from another.
const registry = processLocal<Registry>("metrics", () => ({
  families: new Map(),
  wait: { counts: WAIT_BUCKETS.map(() => 0), sum: 0, count: 0 },
  startedAt: Date.now(),
}));

function family(name: string, help: string, type: Family["type"]): Family {
  let f = registry.families.get(name);
  if (!f) registry.families.set(name, (f = { name, help, type, series: new Map() }));
  return f;
}

function add(f: Family, labels: Labels, by: number): void {
  let key = JSON.stringify(labels);
  if (!f.series.has(key) && f.series.size >= MAX_SERIES) {
    labels = Object.fromEntries(Object.keys(labels).map((k) => [k, "other"]));
    key = JSON.stringify(labels);
  }
  const s = f.series.get(key) ?? { labels, value: 0 };
  s.value += by;
  f.series.set(key, s);
}

/**
 * Error codes as labels: Bitrix24's (`QUERY_LIMIT_EXCEEDED`, `HTTP_503`) or ours (`upstream_unavailable`). Anything
 * else a portal might send, digits mixed into lowercase text (the shape of a token) included, becomes `other`.
 */
const CODE = /^(?:[A-Z]+(?:_[A-Z0-9]+)*|[a-z]+(?:_[a-z]+)*)$/;
export function codeLabel(code: string | null | undefined): string {
  if (!code) return "none";
  return code.length <= 48 && CODE.test(code) ? code : "other";
}

const REST = ["b24_rest_calls_total", "HTTP requests the REST client sent to portals, by outcome and error code."] as const;
const RETRIES = ["b24_rest_retries_total", "REST requests sent again: by the retry policy (reason = error code) or after a renewed token."] as const;
const REFRESHES = ["b24_token_refreshes_total", "Token refreshes this process performed with the OAuth server, by outcome."] as const;
const EVENTS = ["b24_event_deliveries_total", "Event deliveries from Bitrix24 answered, by outcome (refused = not authenticated or invalid)."] as const;

// Declared up front, so a scraper sees every family (HELP and TYPE) before its first sample.
for (const [name, help] of [REST, RETRIES, REFRESHES, EVENTS]) family(name, help, "counter");

export function countRestCall(errorCode: string | null): void {
  add(family(...REST, "counter"), { outcome: errorCode ? "error" : "ok", code: codeLabel(errorCode) }, 1);
}

export function countRetry(reason: string): void {
  add(family(...RETRIES, "counter"), { reason: codeLabel(reason) }, 1);
}

export function countTokenRefresh(outcome: "ok" | "error"): void {
  add(family(...REFRESHES, "counter"), { outcome }, 1);
}

export function countEventDelivery(outcome: string): void {
  add(family(...EVENTS, "counter"), { outcome: codeLabel(outcome) }, 1);
}

export function observeLimiterWait(seconds: number): void {
  const w = registry.wait;
  WAIT_BUCKETS.forEach((le, i) => {
    if (seconds <= le) w.counts[i]! += 1;
  });
  w.sum += seconds;
  w.count += 1;
}

/** Awaits a limiter slot and records how long that took, whatever the outcome (an aborted wait counts too). */
export async function timedWait<T>(slot: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await slot;
  } finally {
    observeLimiterWait((performance.now() - started) / 1000);
  }
}

/** Label values escape `\`, `"` and newlines; HELP text escapes `\` and newlines (the exposition format's rules). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}

/** A gauge read at scrape time (e.g. the inbox from the database). */
export interface GaugeSample {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** The whole exposition: the counters, the limiter histogram, uptime and the gauges read for this scrape. */
export function renderMetrics(gauges: readonly GaugeSample[] = [], now = Date.now()): string {
  const lines: string[] = [];
  for (const f of registry.families.values()) {
    lines.push(...header(f.name, f.help, f.type));
    for (const s of f.series.values()) lines.push(`${f.name}${labelText(s.labels)} ${s.value}`);
  }
  const w = registry.wait;
  const name = "b24_limiter_wait_seconds";
  lines.push(...header(name, "Time REST requests waited for a slot in the portal's request bucket.", "histogram"));
  WAIT_BUCKETS.forEach((le, i) => lines.push(`${name}_bucket{le="${le}"} ${w.counts[i]}`));
  lines.push(`${name}_bucket{le="+Inf"} ${w.count}`, `${name}_sum ${w.sum}`, `${name}_count ${w.count}`);
  for (const g of gauges) {
    lines.push(...header(g.name, g.help, "gauge"));
    for (const s of g.samples) lines.push(`${g.name}${labelText(s.labels)} ${s.value}`);
  }
  lines.push(...header("process_uptime_seconds", "Seconds since this process loaded its metrics.", "gauge"));
  lines.push(`process_uptime_seconds ${(now - registry.startedAt) / 1000}`);
  return `${lines.join("\n")}\n`;
}
