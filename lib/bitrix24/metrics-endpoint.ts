import "server-only";
import { env } from "@/lib/env";
import { PRIVATE_NO_STORE } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { renderMetrics, type GaugeSample } from "@/lib/metrics";
import { safeEqual } from "@/lib/safe-equal";
import { jobCounts } from "./store/inbox";

/**
 * GET /api/metrics. Off (404, as if absent) unless METRICS_TOKEN is set; then only a scraper presenting it as a
 * bearer token gets the text. The comparison is constant-time like every other secret's (lib/safe-equal.ts).
 */
const NO_STORE = { "cache-control": PRIVATE_NO_STORE };
const BEARER = /^Bearer ([\x21-\x7e]+)$/;

async function inboxGauge(): Promise<GaugeSample[]> {
  try {
    const counts = await jobCounts();
    const samples = (["pending", "running", "dead"] as const).map((status) => ({ labels: { status }, value: counts[status] }));
    return [{ name: "b24_inbox_jobs", help: "Inbox jobs (events, robots, offline drains) by status, read from the database at scrape time.", samples }];
  } catch (err) {
    // The counters are still worth having when the database is down; the missing gauge shows the gap.
    log.warn("metrics.inbox_unreadable", { error: err instanceof Error ? err.name : "unknown" });
    return [];
  }
}

export async function metricsResponse(req: Request): Promise<Response> {
  const token = env().METRICS_TOKEN;
  if (!token) return new Response("Not found", { status: 404, headers: NO_STORE });
  const presented = BEARER.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!safeEqual(presented, token)) {
    return new Response("Unauthorized", { status: 401, headers: { ...NO_STORE, "www-authenticate": 'Bearer realm="metrics"' } });
  }
  const body = renderMetrics(await inboxGauge());
  return new Response(body, { headers: { ...NO_STORE, "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
}
