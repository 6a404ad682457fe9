import { readFileSync } from "node:fs";
import { e2e, expect, test } from "../fixtures";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * Observability (README "Observability"): GET /api/metrics for a scraper holding METRICS_TOKEN, and request ids that
 * follow a request through the app's log. The e2e app runs with METRICS_TOKEN = e2e.metricsToken (e2e/env.ts).
 */
const scrape = (authorization?: string) =>
  fetch(`${e2e.appUrl}/api/metrics`, { headers: { ...(authorization ? { authorization } : {}), "x-request-id": "scrape-1" } });

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

test("metrics: 401 without the bearer token; with it REST calls, limiter waits, event deliveries and the inbox gauges, no secret", async ({ signIn, emulator }) => {
  for (const auth of [undefined, "Bearer wrong-token-wrong-token-wrong", `Basic ${e2e.metricsToken}`]) {
    const res = await scrape(auth);
    expect(res.status, String(auth)).toBe(401);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.text()).not.toContain("b24_");
  }

  await signIn();
  // A delivery that cannot be authenticated is refused and counted as such.
  const before = await (await scrape(`Bearer ${e2e.metricsToken}`)).text();
  const refused = await fetch(`${e2e.appUrl}/api/b24/events`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ event: "ONCRMDEALADD", "auth[member_id]": "0123456789abcdef0123456789abcdef" }).toString(),
  });
  expect(refused.status).toBeGreaterThanOrEqual(400);

  const res = await scrape(`Bearer ${e2e.metricsToken}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers.get("cache-control")).toBe("private, no-store");
  expect(res.headers.get("x-request-id")).toBe("scrape-1");
  const text = await res.text();
  // Sign-in and the dashboard called the portal.
  expect(sample(text, 'b24_rest_calls_total{outcome="ok",code="none"}')).toBeGreaterThan(0);
  expect(sample(text, "b24_limiter_wait_seconds_count")).toBeGreaterThan(0);
  const refusals = (t: string) => sample(t, 'b24_event_deliveries_total{outcome="refused"}') || 0;
  expect(refusals(text) - refusals(before)).toBeGreaterThanOrEqual(1);
  for (const status of ["pending", "running", "dead"]) expect(sample(text, `b24_inbox_jobs{status="${status}"}`)).toBeGreaterThanOrEqual(0);
  expect(text).toMatch(/^# TYPE b24_token_refreshes_total counter$/m);
  expect(sample(text, "process_uptime_seconds")).toBeGreaterThan(0);

  // Canaries: no token, secret, portal or member id in the text.
  const { portals } = await emulator.health();
  const tokens = (await emulator.tokens()).flatMap((t) => [t.access, t.refresh]);
  expect(tokens.length).toBeGreaterThan(0);
  for (const canary of [e2e.metricsToken, e2e.clientSecret, e2e.clientSecret2, e2e.nextAuthSecret, e2e.portalHost, ...portals.map((p) => p.memberId), ...tokens]) {
    expect(text).not.toContain(canary);
  }
  expect(readFileSync(e2e.appLog, "utf8"), "app log").not.toContain(e2e.metricsToken);
});

test("a request's X-Request-Id is answered and is on the app's log lines for it, the portal calls' own ids beside it; a malformed one is replaced", async ({ page, signIn }) => {
  await signIn();
  const cookie = await sessionCookie(page.context());
  const answer = await callProxy(cookie, "user.current", {}, { headers: { "x-request-id": "test-abc-123" } });
  expect(answer.status).toBe(200);
  expect(answer.headers.get("x-request-id")).toBe("test-abc-123");

  // The log file is the app's stdout, copied as it is written.
  const lines = () =>
    readFileSync(e2e.appLog, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { event?: string; requestId?: string; b24RequestId?: string });
  await expect.poll(() => lines().filter((l) => l.requestId === "test-abc-123" && l.event === "b24.http").length).toBeGreaterThan(0);
  const call = lines().find((l) => l.requestId === "test-abc-123" && l.event === "b24.http");
  expect(call?.b24RequestId).toMatch(/^[0-9a-f]{16}-\d+$/);

  const replaced = await callProxy(cookie, "user.current", {}, { headers: { "x-request-id": "bad id; with spaces" } });
  expect(replaced.status).toBe(200);
  const fresh = replaced.headers.get("x-request-id");
  expect(fresh).toMatch(/^[0-9a-f]{16}$/);
  await expect.poll(() => lines().some((l) => l.requestId === fresh && l.event === "b24.http")).toBe(true);
  expect(readFileSync(e2e.appLog, "utf8")).not.toContain("bad id; with spaces");
});
