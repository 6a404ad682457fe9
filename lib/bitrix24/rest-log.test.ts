import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CLIENT, installNoUi, startHarness, type Harness } from "@/test/event-harness";
import { REDACTED } from "@/lib/redact";
import type * as Clients from "./clients";
import type * as Log from "@/lib/log";
import type * as RestLog from "./rest-log";

/**
 * The REST log against a real emulator (portal and OAuth server) and the app's SQLite database: what a row holds,
 * that no token or secret reaches any column (the canary test), that the X-Request-Id Bitrix24 received is the row's
 * requestId and the app's log lines carry it, and that pruning keeps the retention and the size bound.
 */
const DAY = 86_400_000;
let h: Harness;
let members: string[];
let restLog: typeof RestLog;
let clients: typeof Clients;
let logModule: typeof Log;

beforeAll(async () => {
  process.env.B24_WORKER_MODE = "separate";
  h = await startHarness(2);
  members = h.emu.portals.map((p) => p.memberId);
  restLog = await import("./rest-log");
  clients = await import("./clients");
  logModule = await import("@/lib/log");
  for (const m of members) await installNoUi(h, m);
});

afterAll(async () => {
  await h?.stop();
  delete process.env.B24_WORKER_MODE;
});

beforeEach(async () => {
  vi.restoreAllMocks();
  await h.emu.control.clearFaults();
  await restLog.flushRestLog();
  await h.db().restLog.deleteMany({});
});

const installer = (memberId: string) => clients.clientFor({ memberId, kind: "portal", bitrixUserId: 1 });

async function rowsOf(memberId: string) {
  await restLog.flushRestLog();
  return h.db().restLog.findMany({ where: { memberId }, orderBy: [{ at: "asc" }, { id: "asc" }] });
}

/** Portal REST requests (not the OAuth server's) the emulator received since `seq`. */
async function portalRequests(seq: number) {
  return (await h.emu.control.log(seq)).filter((e) => e.server === "portal" && e.path.startsWith("/rest/"));
}

describe("bodies", () => {
  it("pass the one redaction list and are stored as JSON", () => {
    const text = restLog.bodyText({ fields: { TITLE: "Deal", application_token: "t-1", AUTH_ID: "a-1" }, cmd: { x: "user.get?auth=a-2&ID=1" } });
    expect(text).not.toMatch(/t-1|a-1|a-2/);
    expect(JSON.parse(text)).toMatchObject({ fields: { TITLE: "Deal", application_token: REDACTED, AUTH_ID: REDACTED } });
    expect(restLog.bodyText(undefined)).toBe("");
  });

  it("are cut to the per-row bound on a character boundary, and the row says so", () => {
    const long = JSON.stringify({ result: "ж".repeat(20_000) });
    const text = restLog.bodyText(JSON.parse(long) as unknown);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(restLog.BODY_MAX_BYTES);
    expect(text).toMatch(/…\[truncated: \d+ bytes, first 16384 kept\]$/);
    expect(text).not.toContain("\uFFFD");
    expect(restLog.truncateBody("short")).toBe("short");
    expect(restLog.truncateBody("x".repeat(100), 60)).toMatch(/^x+…\[truncated: 100 bytes, first 60 kept\]$/);
  });
});

describe("recording", () => {
  it("canary: no access token, refresh token, application_token, client secret, AUTH_ID or REFRESH_ID reaches any RestLog column", async () => {
    const [A] = members as [string];
    const canary = {
      access_token: "CANARY-ACCESS-7f3a",
      refresh_token: "CANARY-REFRESH-91cd",
      application_token: "CANARY-APPTOKEN-5b22",
      client_secret: "CANARY-SECRET-c0de",
      AUTH_ID: "CANARY-AUTHID-4e4e",
      REFRESH_ID: "CANARY-REFRESHID-8a8a",
    };
    const values = Object.values(canary);
    const b24 = installer(A);
    // Params: secret keys nested in fields, in option values, as JSON text, as key=value text and in batch commands.
    await b24.call("app.option.set", { options: { ...canary, note: JSON.stringify(canary), form: `auth=${canary.access_token}&refresh_token=${canary.refresh_token}` } });
    // Answers: app.option.get returns them all back.
    const stored = await b24.call<Record<string, unknown>>("app.option.get", {});
    expect(stored.result).toMatchObject({ access_token: canary.access_token });
    await b24.call("crm.deal.add", { fields: { TITLE: "Canary", COMMENTS: `client_secret=${canary.client_secret}`, ...canary } }).catch(() => undefined);
    await b24.batch({ a: ["crm.deal.list", { filter: { application_token: canary.application_token, AUTH_ID: canary.AUTH_ID } }], b: "user.current" });
    // An answer that is not Bitrix24's (a fault) carrying them, then an expired token renewed and the call repeated.
    await h.emu.control.addFault({ path: "/rest/profile", count: 1, kind: "status", status: 200, body: { result: { ...canary, text: `REFRESH_ID=${canary.REFRESH_ID}` } } });
    await b24.call("profile");
    await h.emu.control.expireTokens();
    await b24.call("user.current");

    const rows = await rowsOf(A);
    expect(rows.map((r) => r.method)).toEqual(expect.arrayContaining(["app.option.set", "app.option.get", "batch", "profile", "user.current"]));
    const dump = JSON.stringify(rows);
    // The canaries, the app's real tokens for this portal (the expired pair and the renewed one), the application
    // token Bitrix24 issued at the install and the client secret.
    const real = (await h.emu.control.tokens()).filter((t) => t.memberId === A).flatMap((t) => [t.access, t.refresh]);
    const appToken = (await h.emu.control.portal(A)).applicationToken;
    for (const secret of [...values, ...real, appToken, CLIENT.clientSecret]) expect(dump, secret).not.toContain(secret);
    expect(dump).toContain(REDACTED);
  });

  it("one row per HTTP request, retries included; the X-Request-Id Bitrix24 received is the row's requestId and is in the app's log lines", async () => {
    const [A] = members as [string];
    const info = vi.spyOn(logModule.log, "info");
    const debug = vi.spyOn(logModule.log, "debug");
    const seq = await h.lastSeq();
    await h.emu.control.addFault({ path: "/rest/user.current", count: 1, kind: "status", status: 503, body: { error: "INTERNAL_SERVER_ERROR", error_description: "Try later" } });
    const b24 = clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 });
    await b24.call("user.current");
    await b24.call("scope");

    const rows = await rowsOf(A);
    const received = await portalRequests(seq);
    expect(received.map((e) => e.headers["x-request-id"])).toEqual(rows.map((r) => r.requestId));
    expect(rows.map((r) => [r.method, r.status, r.errorCode, r.bitrixUserId])).toEqual([
      ["user.current", 503, "INTERNAL_SERVER_ERROR", 1],
      ["user.current", 200, null, 1],
      ["scope", 200, null, 1],
    ]);
    // One logical call, two attempts: one id with the attempt's number; a new call, a new id.
    const [first, second, third] = rows.map((r) => r.requestId) as [string, string, string];
    expect(first).toMatch(/^[0-9a-f]{16}-1$/);
    expect(second).toBe(first.replace(/-1$/, "-2"));
    expect(third.slice(0, 16)).not.toBe(first.slice(0, 16));
    expect(info).toHaveBeenCalledWith("b24.rest.retry", expect.objectContaining({ b24RequestId: first }));
    for (const id of [first, second, third]) expect(debug).toHaveBeenCalledWith("b24.http", expect.objectContaining({ b24RequestId: id }));
    expect(rows.every((r) => r.durationMs >= 0 && r.bytes > restLog.ROW_OVERHEAD_BYTES && r.request.length > 0)).toBe(true);
  });

  it("inside an incoming request's context every line of the call carries that requestId beside its own b24RequestId; the metrics count each request, the retry and the limiter waits", async () => {
    const [A] = members as [string];
    const metrics = await import("@/lib/metrics");
    const { runWithRequestId } = await import("@/lib/request-context");
    const sample = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(metrics.renderMetrics())?.[1] ?? 0);
    const counted = () => ({
      ok: sample('b24_rest_calls_total{outcome="ok",code="none"}'),
      failed: sample('b24_rest_calls_total{outcome="error",code="INTERNAL_SERVER_ERROR"}'),
      retries: sample('b24_rest_retries_total{reason="upstream_unavailable"}'),
      waits: sample("b24_limiter_wait_seconds_count"),
    });
    const before = counted();
    await h.emu.control.addFault({ path: "/rest/user.current", count: 1, kind: "status", status: 503, body: { error: "INTERNAL_SERVER_ERROR", error_description: "Try later" } });
    const lines: string[] = [];
    const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (lines.push(String(c)), true));
    process.env.LOG_LEVEL = "debug";
    try {
      await runWithRequestId("test-abc-123", () => clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current"));
    } finally {
      process.env.LOG_LEVEL = "silent";
      out.mockRestore();
    }
    const http = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === "b24.http" || l.event === "b24.rest.retry");
    expect(http.length).toBe(3);
    for (const l of http) expect(l).toMatchObject({ requestId: "test-abc-123", b24RequestId: expect.stringMatching(/^[0-9a-f]{16}-[12]$/) });
    const after = counted();
    expect(after.ok - before.ok).toBe(1);
    expect(after.failed - before.failed).toBe(1);
    expect(after.retries - before.retries).toBe(1);
    expect(after.waits - before.waits).toBe(2);
  });

  it("a batch is recorded with its commands as the request body", async () => {
    const [A] = members as [string];
    await installer(A).batch({ me: "user.current", deals: ["crm.deal.list", { select: ["ID"] }] });
    const [row] = await rowsOf(A);
    expect(row?.method).toBe("batch");
    expect(JSON.parse(row!.request)).toEqual({ halt: 0, cmd: { me: "user.current", deals: "crm.deal.list?select[0]=ID" } });
    expect(JSON.parse(row!.response)).toMatchObject({ result: { result: { me: { ID: "1" } } } });
  });

  it("a failed write drops its rows with a warning and the REST call still succeeds; the next write goes through", async () => {
    const [A] = members as [string];
    const warn = vi.spyOn(logModule.log, "warn");
    const createMany = vi.spyOn(h.db().restLog, "createMany").mockRejectedValueOnce(Object.assign(new Error(`insert failed: ${"CANARY-IN-ERROR"}`), { name: "DriverAdapterError" }));
    await expect(installer(A).call("scope")).resolves.toMatchObject({ result: expect.any(Array) });
    await restLog.flushRestLog();
    expect(warn).toHaveBeenCalledWith("b24.rest_log.dropped", { reason: "write_failed", rows: 1, error: "DriverAdapterError" });
    expect(JSON.stringify(warn.mock.calls)).not.toContain("CANARY-IN-ERROR");
    expect(await rowsOf(A)).toEqual([]);
    await installer(A).call("scope");
    expect((await rowsOf(A)).map((r) => r.method)).toEqual(["scope"]);
    expect(createMany).toHaveBeenCalledTimes(2);
  });

  it("a database write that hangs does not hold REST calls; the rows are written when it answers", async () => {
    const [A] = members as [string];
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const real = h.db().restLog.createMany.bind(h.db().restLog);
    const slow = async (args: Parameters<typeof real>[0]) => {
      await stalled;
      return real(args);
    };
    vi.spyOn(h.db().restLog, "createMany").mockImplementationOnce(slow as never);
    const b24 = installer(A);
    await b24.call("scope");
    const flushing = restLog.flushRestLog();
    // The first write is stuck; later calls answer all the same.
    await expect(Promise.all([b24.call("scope"), b24.call("user.current")])).resolves.toHaveLength(2);
    expect(await h.db().restLog.count({ where: { memberId: A } })).toBe(0);
    release();
    await flushing;
    expect((await rowsOf(A)).map((r) => r.method)).toEqual(["scope", "scope", "user.current"]);
  });

  it("many calls are written in a few batched inserts (group commit)", async () => {
    const [A] = members as [string];
    const createMany = vi.spyOn(h.db().restLog, "createMany");
    const b24 = installer(A);
    await Promise.all(Array.from({ length: 60 }, () => b24.call("scope")));
    expect(await rowsOf(A)).toHaveLength(60);
    expect(createMany.mock.calls.length).toBeLessThanOrEqual(6);
  });

  it("the download has only the portal's own rows, as JSON lines, within the asked days", async () => {
    const [A, B] = members as [string, string];
    await installer(A).call("scope");
    await installer(B).call("user.current");
    await h.db().restLog.create({ data: { memberId: A, at: new Date(Date.now() - 2 * DAY), requestId: "old-1", method: "scope", status: 200, durationMs: 1, request: "{}", response: "{}", bytes: 260 } });
    const read = async (days: number) => (await new Response(restLog.restLogLines(A, days)).text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const all = await read(3);
    expect(all.map((l) => [l.memberId, l.method])).toEqual([[A, "scope"], [A, "scope"]]);
    expect(all[0]).toMatchObject({ requestId: "old-1", status: 200, bytes: 260 });
    expect((await read(1)).map((l) => l.requestId)).not.toContain("old-1");
    // Never beyond the retention, whatever is asked.
    expect((await read(90)).length).toBe(2);
  });
});

describe("pruneRestLog", () => {
  const row = (memberId: string, ageMs: number, bytes: number, i: number) => ({
    memberId,
    at: new Date(Date.now() - ageMs),
    requestId: `r-${i}`,
    method: "scope",
    status: 200,
    durationMs: 1,
    request: "{}",
    response: "{}",
    bytes,
  });

  it("deletes rows older than the retention and keeps the rest; a second run deletes nothing", async () => {
    const [A, B] = members as [string, string];
    await h.db().restLog.createMany({ data: [row(A, 4 * DAY, 300, 1), row(B, 3 * DAY + 60_000, 300, 2), row(A, 3 * DAY - 60_000, 300, 3), row(B, 1000, 300, 4)] });
    const settings = { days: 3, maxBytes: 1024 * 1024 };
    expect(await restLog.pruneRestLog(new Date(), settings)).toEqual({ expired: 2, overSize: 0 });
    expect((await h.db().restLog.findMany({ orderBy: { requestId: "asc" } })).map((r) => r.requestId)).toEqual(["r-3", "r-4"]);
    expect(await restLog.pruneRestLog(new Date(), settings)).toEqual({ expired: 0, overSize: 0 });
  });

  it("deletes the oldest rows while the table's bytes exceed the bound, down to 90% of it", async () => {
    const [A, B] = members as [string, string];
    // 20 rows of 1000 bytes, newest last, over both portals: 20 000 bytes against a bound of 10 000.
    await h.db().restLog.createMany({ data: Array.from({ length: 20 }, (_, i) => row(i % 2 ? A : B, (20 - i) * 60_000, 1000, 100 + i)) });
    expect(await restLog.pruneRestLog(new Date(), { days: 3, maxBytes: 10_000 })).toEqual({ expired: 0, overSize: 11 });
    const left = await h.db().restLog.findMany({ orderBy: { at: "asc" } });
    expect(left.map((r) => r.requestId)).toEqual(Array.from({ length: 9 }, (_, i) => `r-${111 + i}`));
    expect(await restLog.pruneRestLog(new Date(), { days: 3, maxBytes: 10_000 })).toEqual({ expired: 0, overSize: 0 });
  });

  it("two instances pruning at once stay within one page of the target and both finish", async () => {
    await h.db().restLog.createMany({ data: Array.from({ length: 40 }, (_, i) => row(members[0]!, (40 - i) * 60_000, 1000, 200 + i)) });
    const settings = { days: 3, maxBytes: 20_000 };
    await Promise.all([restLog.pruneRestLog(new Date(), settings), restLog.pruneRestLog(new Date(), settings)]);
    const left = await h.db().restLog.findMany({ orderBy: { at: "asc" } });
    expect(left.length).toBeLessThanOrEqual(18);
    expect(left.at(-1)?.requestId).toBe("r-239");
  });

  it("retention 0 (off) deletes every row", async () => {
    const [A] = members as [string];
    await h.db().restLog.createMany({ data: [row(A, 1000, 300, 1), row(A, 0, 300, 2)] });
    expect(await restLog.pruneRestLog(new Date(Date.now() + 1), { days: 0, maxBytes: 1024 })).toMatchObject({ expired: 2 });
    expect(await h.db().restLog.count()).toBe(0);
  });
});
