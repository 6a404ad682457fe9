import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useAppDatabase } from "@/test/app-db";
import type * as Db from "@/lib/db";
import type * as Endpoint from "./metrics-endpoint";
import type * as Store from "./store/inbox";

/**
 * GET /api/metrics (lib/bitrix24/metrics-endpoint.ts) against a real SQLite database: off without METRICS_TOKEN,
 * bearer-only with it, the inbox gauges read at scrape time, and nothing secret in the text.
 */
const TOKEN = "metrics-token-CANARY-0123456789abcdef";
let cleanup: () => void;
let endpoint: typeof Endpoint;
let store: typeof Store;
let database: typeof Db;

beforeAll(async () => {
  ({ cleanup } = useAppDatabase({ TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`, METRICS_TOKEN: TOKEN }));
  database = await import("@/lib/db");
  store = await import("./store/inbox");
  endpoint = await import("./metrics-endpoint");
});

afterAll(async () => {
  await database?.db().$disconnect();
  cleanup();
});

const scrape = (authorization?: string) =>
  endpoint.metricsResponse(new Request("http://127.0.0.1/api/metrics", { headers: authorization ? { authorization } : {} }));

describe("GET /api/metrics", () => {
  it("answers 401 (no-store, WWW-Authenticate) without the bearer token or with a wrong one", async () => {
    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, `Bearer  ${TOKEN}`]) {
      const res = await scrape(auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain("b24_");
    }
  });

  it("with the token: Prometheus text with the inbox gauges read from the database now, and no secret in it", async () => {
    const first = await scrape(`Bearer ${TOKEN}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    const before = await first.text();
    expect(before).toContain("# TYPE b24_inbox_jobs gauge");
    for (const status of ["pending", "running", "dead"]) expect(before).toContain(`b24_inbox_jobs{status="${status}"} 0`);

    await store.enqueueJob({ memberId: "member-secret-1", kind: "event", name: "ONCRMDEALADD", dedupKey: "k1", payload: {} });
    await store.enqueueJob({ memberId: "member-secret-1", kind: "event", name: "ONCRMDEALADD", dedupKey: "k2", payload: {} });
    await database.db().inboxJob.updateMany({ where: { dedupKey: "k2" }, data: { status: "dead" } });
    const after = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(after).toContain('b24_inbox_jobs{status="pending"} 1');
    expect(after).toContain('b24_inbox_jobs{status="dead"} 1');
    for (const secret of [TOKEN, "member-secret-1", "client-secret-canary"]) expect(after).not.toContain(secret);
  });

  it("is absent (404) when METRICS_TOKEN is not set, whatever the request carries", async () => {
    delete process.env.METRICS_TOKEN;
    vi.resetModules();
    const off = await import("./metrics-endpoint");
    const res = await off.metricsResponse(new Request("http://127.0.0.1/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });
});
