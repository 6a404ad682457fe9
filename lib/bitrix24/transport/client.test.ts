import { afterEach, describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions, LogEntry } from "@/e2e/emulator";
import { APP, refresh, signIn, start } from "@/e2e/emulator/tests/helpers";
import { createB24Client, endpointUrl, type B24ClientOptions } from "./client";
import { B24Error } from "@/lib/errors";
import { unlimited, type RateLimiter, type RestCredentials, type TokenSource } from "../ports";
import { useLoopbackEnv } from "@/test/loopback-env";

useLoopbackEnv();

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

/** An in-memory TokenSource whose renew is the emulator's refresh grant, as the DB-backed one does it. */
function memoryTokens(e: Emulator, initial: { access_token: string; refresh_token: string; client_endpoint?: unknown }) {
  let creds: RestCredentials = { clientEndpoint: String(initial.client_endpoint), accessToken: initial.access_token };
  let refreshToken = initial.refresh_token;
  const seen = { renewals: 0, marks: [] as string[] };
  const source: TokenSource = {
    current: async () => creds,
    renew: async (stale) => {
      seen.renewals++;
      if (stale.accessToken !== creds.accessToken) return creds;
      const res = await refresh(e.oauthUrl, refreshToken);
      if (res.status !== 200) throw new B24Error("needs_reauth", "refresh failed");
      creds = { clientEndpoint: res.body.client_endpoint, accessToken: res.body.access_token };
      refreshToken = res.body.refresh_token;
      return creds;
    },
    markPortal: async (status, reason) => {
      seen.marks.push(`${status}:${reason}`);
    },
  };
  return { source, seen };
}

interface Setup {
  emu: Emulator;
  tokens: TokenSource;
  seen: { renewals: number; marks: string[] };
  sleeps: number[];
  acquired: () => number;
  client: ReturnType<typeof createB24Client>;
  restLog: () => Promise<LogEntry[]>;
}

async function setup(opts: Partial<EmulatorOptions> = {}, clientOpts: Partial<B24ClientOptions> = {}): Promise<Setup> {
  const e = await start(opts);
  emu = e;
  const tokens = await signIn(e);
  const { source, seen } = memoryTokens(e, tokens);
  let acquired = 0;
  const limiter: RateLimiter = { acquire: async () => void acquired++ };
  const sleeps: number[] = [];
  const client = createB24Client({
    memberId: e.portals[0]!.memberId,
    tokens: source,
    limiter,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...clientOpts,
  });
  await e.control.clearLog();
  const restLog = async () => (await e.control.log()).filter((l) => l.server === "portal" && l.path.startsWith("/rest/"));
  return { emu: e, tokens: source, seen, sleeps, acquired: () => acquired, client, restLog };
}

async function rejection(p: Promise<unknown>): Promise<B24Error> {
  const err = await p.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!(err instanceof B24Error)) throw err;
  return err;
}

describe("endpointUrl", () => {
  it.each(["../oauth/token", "%2e%2e%2foauth", "https://evil.example/x", "//evil.example", "crm.deal.list?auth=x", "crm.deal.list#x"])(
    "refuses %s [#18]",
    (m) => expect(() => endpointUrl("https://a.bitrix24.com/rest/", m)).toThrow(B24Error),
  );
  it("appends the method to client_endpoint", () => {
    expect(endpointUrl("https://a.bitrix24.com/rest/", "crm.deal.list")).toBe("https://a.bitrix24.com/rest/crm.deal.list");
  });
});

describe("call", () => {
  it("sends the token in the JSON body, never in the URL, after one limiter slot per request [#21]", async () => {
    const s = await setup();
    const res = await s.client.call<{ ID: string }>("profile");
    expect(res.result.ID).toBe("1");
    const [entry] = await s.restLog();
    expect(entry?.path).toBe("/rest/profile");
    expect(entry?.query).toEqual({});
    expect(entry?.body).toContain('"auth":');
    expect(s.acquired()).toBe(1);
  });

  it("refuses credentials among the params before sending", async () => {
    const s = await setup();
    expect((await rejection(s.client.call("profile", { auth: "other" }))).code).toBe("bad_request");
    expect(await s.restLog()).toHaveLength(0);
  });

  it("renews an expired access token once and succeeds", async () => {
    const s = await setup();
    await s.emu.control.expireTokens();
    const res = await s.client.call<{ ID: string }>("profile");
    expect(res.result.ID).toBe("1");
    expect(s.seen.renewals).toBe(1);
    expect((await s.restLog()).map((l) => l.status)).toEqual([401, 200]);
    expect((await s.emu.control.log()).filter((l) => l.path === "/oauth/token/")).toHaveLength(1);
  });

  it("a second expiry answer after renewing is needs_reauth, with no loop", async () => {
    const s = await setup();
    const expired = { error: "expired_token", error_description: "The access token provided has expired" };
    await s.emu.control.addFault({ path: "/rest/profile", kind: "status", status: 401, body: expired, count: 5 });
    const err = await rejection(s.client.call("profile"));
    expect(err.code).toBe("needs_reauth");
    expect(err.upstream).toBe("expired_token");
    expect(s.seen.renewals).toBe(1);
    expect(await s.restLog()).toHaveLength(2);
    expect(s.seen.marks).toEqual([]);
  });

  it("retries 503 QUERY_LIMIT_EXCEEDED twice, then succeeds: 3 requests [#39]", async () => {
    const s = await setup();
    const limit = { error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" };
    await s.emu.control.addFault({ path: "/rest/crm.deal.add", kind: "status", status: 503, body: limit, count: 2 });
    const res = await s.client.call<number>("crm.deal.add", { fields: { TITLE: "retried" } });
    expect(typeof res.result).toBe("number");
    expect((await s.restLog()).map((l) => l.status)).toEqual([503, 503, 200]);
    expect(s.sleeps).toEqual([500, 750]);
    expect(s.acquired()).toBe(3);
  });

  it("gives up after 3 attempts", async () => {
    const s = await setup();
    await s.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 500, count: 10 });
    expect((await rejection(s.client.call("crm.deal.list"))).code).toBe("upstream_unavailable");
    expect(await s.restLog()).toHaveLength(3);
  });

  it("retries a 500 on a read, never on crm.deal.add", async () => {
    const s = await setup();
    await s.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 500 });
    await s.client.call("crm.deal.list");
    expect(await s.restLog()).toHaveLength(2);
    await s.emu.control.clearLog();
    await s.emu.control.addFault({ path: "/rest/crm.deal.add", kind: "status", status: 500 });
    const err = await rejection(s.client.call("crm.deal.add", { fields: { TITLE: "once" } }));
    expect(err).toMatchObject({ code: "upstream_unavailable", upstream: "INTERNAL_SERVER_ERROR", upstreamStatus: 500 });
    expect(await s.restLog()).toHaveLength(1);
  });

  it("does not retry a transport error on a write", async () => {
    const s = await setup();
    await s.emu.control.addFault({ path: "/rest/crm.deal.update", kind: "reset" });
    expect((await rejection(s.client.call("crm.deal.update", { id: 1, fields: {} }))).code).toBe("upstream_unavailable");
    expect(await s.restLog()).toHaveLength(1);
  });

  it("does not retry OVERLOAD_LIMIT [#39]", async () => {
    const s = await setup();
    const body = { error: "OVERLOAD_LIMIT", error_description: "REST API is blocked due to overload." };
    await s.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 503, body, count: 3 });
    expect(await rejection(s.client.call("crm.deal.list"))).toMatchObject({ code: "upstream_unavailable", upstream: "OVERLOAD_LIMIT" });
    expect(await s.restLog()).toHaveLength(1);
  });

  it("a renamed portal's 302 is not followed: a refresh reports the new client_endpoint, and only that is retried [#22]", async () => {
    const s = await setup();
    const moved = await s.emu.control.rename(s.emu.portals[0]!.memberId);
    const out = await s.client.call<{ ID: string }>("profile");
    expect(out.result.ID).toBe("1");
    expect(s.seen.renewals).toBe(1);
    const log = (await s.emu.control.log()).filter((l) => l.server === "oauth" || l.path.startsWith("/rest/"));
    expect(log.map((l) => `${l.server}:${l.host === moved.host ? "new" : "old"}:${l.status}`)).toEqual(["portal:old:302", "oauth:old:200", "portal:new:200"]);
    // The old token went only to the old host; the new host only ever saw the refreshed token.
    expect(log[2]!.body).not.toContain(JSON.parse(log[0]!.body).auth);
  });

  it("a 302 whose refresh reports the same endpoint is an error, and nothing follows the Location", async () => {
    const s = await setup();
    const moved = await s.emu.control.rename(s.emu.portals[0]!.memberId);
    const stuck: TokenSource = { current: s.tokens.current, renew: async (stale) => stale };
    const client = createB24Client({ memberId: s.emu.portals[0]!.memberId, tokens: stuck, limiter: unlimited });
    expect(await rejection(client.call("profile"))).toMatchObject({ code: "upstream_unavailable", upstream: "PORTAL_MOVED", upstreamStatus: 302 });
    expect((await s.emu.control.log()).filter((l) => l.host === moved.host)).toHaveLength(0);
  });

  it("PAYMENT_REQUIRED and PORTAL_DELETED mark the portal blocked", async () => {
    const s = await setup();
    const memberId = s.emu.portals[0]!.memberId;
    await s.emu.control.setPortalState(memberId, { paymentRequired: true });
    expect(await rejection(s.client.call("profile"))).toMatchObject({ code: "payment_required", upstream: "PAYMENT_REQUIRED" });
    await s.emu.control.setPortalState(memberId, { paymentRequired: false, deleted: true });
    expect(await rejection(s.client.call("profile"))).toMatchObject({ code: "portal_blocked", upstream: "PORTAL_DELETED" });
    expect(s.seen.marks).toEqual(["payment_required:PAYMENT_REQUIRED", "portal_refused:PORTAL_DELETED"]);
    expect(await s.restLog()).toHaveLength(2);
  });

  it("a plan-level ACCESS_DENIED (401) marks the portal blocked; a method-level one (403) does not [#41]", async () => {
    const s = await setup();
    const body = { error: "ACCESS_DENIED", error_description: "REST is available only on commercial plans." };
    await s.emu.control.addFault({ path: "/rest/profile", count: 1, kind: "status", status: 401, body });
    await rejection(s.client.call("profile"));
    await s.emu.control.addFault({ path: "/rest/profile", count: 1, kind: "status", status: 403, body: { error: "ACCESS_DENIED", error_description: "Access denied!" } });
    await rejection(s.client.call("profile"));
    expect(s.seen.marks).toEqual(["portal_refused:ACCESS_DENIED"]);
  });

  it("maps method errors with Bitrix24's code in upstream", async () => {
    const s = await setup({ app: { ...APP, scope: "user" } });
    expect(await rejection(s.client.call("crm.deal.list"))).toMatchObject({ code: "forbidden", upstream: "insufficient_scope" });
    expect(await rejection(s.client.call("no.such.method"))).toMatchObject({ code: "not_found", upstream: "ERROR_METHOD_NOT_FOUND" });
  });
});

describe("OPERATION_TIME_LIMIT", () => {
  async function blocked(maxOperatingWaitMs?: number) {
    let nowMs = 0;
    const s = await setup(
      { operatingLimitSec: 100 },
      {
        now: () => nowMs,
        maxOperatingWaitMs,
        sleep: async (ms) => {
          s.sleeps.push(ms);
          nowMs += ms;
          await s.emu.control.clock({ advanceSec: ms / 1000 });
        },
      },
    );
    nowMs = (await s.emu.control.clock({ freeze: true })).now * 1000;
    await s.emu.control.setMethodCost({ method: "crm.deal.list", ms: 60_000 });
    await s.client.call("crm.deal.list");
    const second = await s.client.call("crm.deal.list");
    const resetAt = Number(second.time?.operating_reset_at);
    expect(second.time?.operating).toBe(120);
    return {
      s,
      resetAt,
      advanceTo: async (unixSec: number) => {
        await s.emu.control.clock({ advanceSec: unixSec - nowMs / 1000 });
        nowMs = unixSec * 1000;
      },
    };
  }

  it("waits until operating_reset_at when it is within the maximum wait, then succeeds [#39]", async () => {
    const { s, resetAt, advanceTo } = await blocked();
    await advanceTo(resetAt - 20);
    await s.emu.control.clearLog();
    await s.client.call("crm.deal.list");
    expect(s.sleeps).toEqual([20_000]);
    expect((await s.restLog()).map((l) => l.status)).toEqual([429, 200]);
  });

  it("fails with rate_limited and retryAfterSec when the reset is further away", async () => {
    const { s, resetAt, advanceTo } = await blocked();
    await advanceTo(resetAt - 300);
    await s.emu.control.clearLog();
    const err = await rejection(s.client.call("crm.deal.list"));
    expect(err).toMatchObject({ code: "rate_limited", upstream: "OPERATION_TIME_LIMIT", retryAfterSec: 300 });
    expect(s.sleeps).toEqual([]);
    expect(await s.restLog()).toHaveLength(1);
    // Other methods keep working while one is blocked.
    expect((await s.client.call("profile")).result).toBeTruthy();
  });

  it("every client of the process then sends nothing for the blocked method and reports the seconds to the reset", async () => {
    const { s, resetAt, advanceTo } = await blocked();
    await advanceTo(resetAt - 300);
    await rejection(s.client.call("crm.deal.list"));
    await s.emu.control.clearLog();
    const memberId = s.emu.portals[0]!.memberId;
    const other = createB24Client({ memberId, tokens: s.tokens, limiter: unlimited, now: () => (resetAt - 300) * 1000, maxOperatingWaitMs: 0 });
    expect(await rejection(other.call("crm.deal.list"))).toMatchObject({ code: "rate_limited", upstream: "OPERATION_TIME_LIMIT", retryAfterSec: 300 });
    expect(await rejection(other.batch({ a: "crm.deal.list" }))).toMatchObject({ code: "rate_limited", retryAfterSec: 300 });
    expect(await s.restLog()).toHaveLength(0);
    const later = createB24Client({ memberId, tokens: s.tokens, limiter: unlimited, now: () => resetAt * 1000 + 1, maxOperatingWaitMs: 0 });
    await advanceTo(resetAt + 1);
    expect((await later.call("crm.deal.list")).result).toBeTruthy();
  });

  it("honours an injected maximum wait", async () => {
    const { s, resetAt, advanceTo } = await blocked(10 * 60_000);
    await advanceTo(resetAt - 300);
    await s.client.call("crm.deal.list");
    expect(s.sleeps).toEqual([300_000]);
  });
});

describe("batch", () => {
  it("sends 120 commands as 3 requests and merges the results", async () => {
    const s = await setup({ portals: [{ deals: 150 }] });
    const commands = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`d${i}`, ["crm.deal.get", { id: i + 1 }] as const]));
    const res = await s.client.batch(commands);
    expect(Object.keys(res.result)).toHaveLength(120);
    expect((res.result.d119 as { ID: string }).ID).toBe("120");
    expect(res.result_error).toEqual({});
    expect(await s.restLog()).toHaveLength(3);
    expect(s.acquired()).toBe(3);
  });

  it("accepts string commands with references and returns totals", async () => {
    const s = await setup({ portals: [{ deals: 60 }] });
    const res = await s.client.batch({ first: "crm.deal.list?select[]=ID&start=0", next: "crm.deal.get?id=$result[first][0][ID]" });
    expect((res.result.next as { ID: string }).ID).toBe("1");
    expect(res.result_total).toEqual({ first: 60 });
    expect(res.result_next).toEqual({ first: 50 });
  });

  it("halt stops at the first failing command and sends no later chunk", async () => {
    const s = await setup({ portals: [{ deals: 150 }] });
    const commands = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`d${i}`, ["crm.deal.get", { id: i === 5 ? 99_999 : i + 1 }] as const]));
    const halted = await s.client.batch(commands, { halt: true });
    expect(Object.keys(halted.result_error)).toEqual(["d5"]);
    expect(Object.keys(halted.result)).toHaveLength(5);
    expect(await s.restLog()).toHaveLength(1);
    await s.emu.control.clearLog();
    const all = await s.client.batch(commands);
    expect(Object.keys(all.result)).toHaveLength(119);
    expect(await s.restLog()).toHaveLength(3);
  });

  it("refuses nested batch, bad commands and references across chunks before sending", async () => {
    const s = await setup();
    expect((await rejection(s.client.batch({ a: "batch?cmd[b]=profile" }))).code).toBe("method_not_allowed");
    expect((await rejection(s.client.batch({ a: "../oauth/token" }))).code).toBe("bad_request");
    expect((await rejection(s.client.batch({ a: ["crm.deal.list", { auth: "x" }] }))).code).toBe("bad_request");
    const cross = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, i === 50 ? "crm.deal.get?id=$result[c0][ID]" : "profile"]));
    expect((await rejection(s.client.batch(cross))).code).toBe("bad_request");
    expect(await s.restLog()).toHaveLength(0);
  });
});

describe("listAll", () => {
  it("reads 10,000 deals, each exactly once, in at most 5 requests under the standard bucket", async () => {
    const s = await setup({ rateLimit: "standard", portals: [{ deals: 10_000 }] });
    const started = performance.now();
    const ids = new Set<string>();
    let count = 0;
    for await (const deal of s.client.listAll<{ ID: string; TITLE?: string }>("crm.deal.list", { select: ["TITLE"] })) {
      ids.add(deal.ID);
      count++;
    }
    const ms = Math.round(performance.now() - started);
    const requests = (await s.restLog()).length;
    console.log(`listAll: ${count} deals in ${ms} ms, ${requests} REST requests`);
    expect(count).toBe(10_000);
    expect(ids.size).toBe(10_000);
    expect(requests).toBeLessThanOrEqual(5);
    expect(s.acquired()).toBe(requests);
  });
});
