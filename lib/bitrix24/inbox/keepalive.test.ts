import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { installNoUi, startHarness, type Harness } from "@/test/event-harness";
import type * as Clients from "../clients";
import type * as Env from "@/lib/env";
import type * as Log from "@/lib/log";
import type * as Inbox from "../store/inbox";
import type * as KeepAlive from "./keepalive";
import type * as Worker from "./worker";

/**
 * The keep-alive job against a real emulator (portal and OAuth server) and the app's SQLite database: an installer
 * pair whose refresh token is 150 days old gets exactly one refresh grant, and nothing else does; dead pairs and
 * uninstalled portals are left alone; a refused refresh leaves that pair needs_reauth while the job finishes the
 * others; the daily dedup key makes one job per UTC day for every instance together. Time is the injected `now`,
 * or rows dated back in the database; the emulator's clock is not moved (its refresh tokens stay valid).
 */
const DAY = 86_400_000;
let h: Harness;
let members: string[];
let keepalive: typeof KeepAlive;
let inbox: typeof Inbox;
let worker: typeof Worker;
let clients: typeof Clients;
let logModule: typeof Log;
let envModule: typeof Env;

beforeAll(async () => {
  // Only this file's drains run jobs, never the web process's pump.
  process.env.B24_WORKER_MODE = "separate";
  h = await startHarness(4);
  members = h.emu.portals.map((p) => p.memberId);
  keepalive = await import("./keepalive");
  inbox = await import("../store/inbox");
  worker = await import("./worker");
  clients = await import("../clients");
  logModule = await import("@/lib/log");
  envModule = await import("@/lib/env");
});

afterAll(async () => {
  await h?.stop();
  delete process.env.B24_WORKER_MODE;
});

beforeEach(async () => {
  await h.db().inboxJob.deleteMany({});
  vi.restoreAllMocks();
});

/** A fresh install: every portal active, its installer pair new (and any revoked token replaced). */
async function installAll(): Promise<void> {
  for (const m of members) await installNoUi(h, m);
}

/** Refresh grants the emulated OAuth server received since `seq`. */
async function grantsSince(seq: number): Promise<number> {
  const log = await h.emu.control.log(seq);
  return log.filter((e) => e.server === "oauth" && e.path.startsWith("/oauth/token") && new URLSearchParams(e.body).get("grant_type") === "refresh_token").length;
}

const pairOf = (memberId: string) => h.db().tokenPair.findFirstOrThrow({ where: { memberId, kind: "portal" } });

/** The installer pair as if installed and last refreshed `days` ago, its access token long expired. */
async function age(memberId: string, days: number): Promise<void> {
  const at = new Date(Date.now() - days * DAY);
  await h.db().tokenPair.updateMany({ where: { memberId, kind: "portal" }, data: { createdAt: at, lastRefreshAt: at, expiresAt: new Date(at.getTime() + 3_600_000) } });
  await h.db().portal.update({ where: { memberId }, data: { installedAt: at } });
}

describe("runKeepAlive", () => {
  beforeEach(installAll);

  it("an installer pair whose refresh token is 150 days old is refreshed once, a second run and the next day's send no grant [#43]", async () => {
    const [A, ...rest] = members as [string, ...string[]];
    await age(A, 150);
    const before = await pairOf(A);
    const others = await Promise.all(rest.map(pairOf));
    const info = vi.spyOn(logModule.log, "info");
    const seq = await h.lastSeq();

    // Two instances' runs at once: the single-flight refresh and the row lease make them one grant.
    const [r1, r2] = await Promise.all([keepalive.runKeepAlive(new Date()), keepalive.runKeepAlive(new Date())]);
    expect(await grantsSince(seq)).toBe(1);
    expect(r1).toMatchObject({ idle: 1, refreshed: 1, failed: 0 });
    expect(r2.failed).toBe(0);
    const after = await pairOf(A);
    expect(after).toMatchObject({ status: "active", version: before.version + 1, refreshFailures: 0 });
    expect(after.lastRefreshAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Stored like every refresh: encrypted, and usable for the portal's background work.
    const live = (await h.emu.control.tokens()).filter((t) => t.memberId === A).map((t) => t.refresh);
    expect(after.refreshToken.startsWith("v1.")).toBe(true);
    expect(live.some((t) => JSON.stringify(after).includes(t))).toBe(false);
    await expect(clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current")).resolves.toBeTruthy();
    expect((await Promise.all(rest.map(pairOf))).map((p) => p.version)).toEqual(others.map((p) => p.version));

    const seq2 = await h.lastSeq();
    expect(await keepalive.runKeepAlive(new Date())).toEqual({ idle: 0, refreshed: 0, failed: 0, skipped: 0 });
    expect(await keepalive.runKeepAlive(new Date(Date.now() + DAY))).toEqual({ idle: 0, refreshed: 0, failed: 0, skipped: 0 });
    expect(await grantsSince(seq2)).toBe(0);
    // The log line carries counts only.
    const lines = info.mock.calls.filter(([event]) => event === "b24.keepalive");
    expect(lines.length).toBe(4);
    for (const [, fields] of lines) expect(Object.keys(fields!).sort()).toEqual(["days", "failed", "idle", "refreshed", "skipped"]);
  });

  it("a pair refreshed or installed less than B24_KEEPALIVE_DAYS ago is not touched; past that, each is refreshed once [#43]", async () => {
    const versions = async () => Promise.all(members.map(async (m) => (await pairOf(m)).version));
    const start = await versions();
    const seq = await h.lastSeq();
    expect(await keepalive.runKeepAlive(new Date())).toMatchObject({ idle: 0, refreshed: 0 });
    expect(await keepalive.runKeepAlive(new Date(Date.now() + 149 * DAY))).toMatchObject({ idle: 0, refreshed: 0 });
    expect(await grantsSince(seq)).toBe(0);
    expect(await versions()).toEqual(start);

    // 151 days on, every pair is idle; their access tokens are still valid, so the refresh is forced (renew).
    expect(await keepalive.runKeepAlive(new Date(Date.now() + 151 * DAY))).toEqual({ idle: 4, refreshed: 4, failed: 0, skipped: 0 });
    expect(await grantsSince(seq)).toBe(4);
    expect(await versions()).toEqual(start.map((v) => v + 1));
  });

  it("a needs_reauth pair and an uninstalled portal are skipped without any grant [#43]", async () => {
    const [A, B, C, D] = members as [string, string, string, string];
    for (const m of members) await age(m, 160);
    await h.db().tokenPair.updateMany({ where: { memberId: A }, data: { status: "needs_reauth", lastError: "invalid_grant" } });
    // B: a verified uninstall deletes the pairs. C: marked uninstalled with its pair still stored (defensive).
    await h.emu.control.uninstall(B, { clean: false });
    await h.settle();
    await h.db().portal.update({ where: { memberId: C }, data: { status: "uninstalled" } });
    const before = await Promise.all([A, C].map(pairOf));
    const seq = await h.lastSeq();

    expect(await keepalive.runKeepAlive(new Date())).toEqual({ idle: 3, refreshed: 1, failed: 0, skipped: 2 });
    expect(await grantsSince(seq)).toBe(1);
    expect(await Promise.all([A, C].map(pairOf))).toEqual(before);
    expect((await pairOf(D)).lastRefreshAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a blocked portal's installer pair is kept alive, and the portal stays blocked until Bitrix24 says otherwise", async () => {
    const [A] = members as [string];
    await age(A, 150);
    await h.db().portal.update({ where: { memberId: A }, data: { status: "blocked", statusReason: "PAYMENT_REQUIRED" } });
    const seq = await h.lastSeq();
    expect(await keepalive.runKeepAlive(new Date())).toMatchObject({ idle: 1, refreshed: 1 });
    expect(await grantsSince(seq)).toBe(1);
    expect(await h.db().portal.findUniqueOrThrow({ where: { memberId: A } })).toMatchObject({ status: "blocked" });
  });

  it("a refused refresh leaves that pair needs_reauth; the job refreshes the others and completes [#43]", async () => {
    const [A, B] = members as [string, string];
    await age(A, 170);
    await age(B, 155);
    await h.emu.control.revokeRefreshTokens({ memberId: A });
    const seq = await h.lastSeq();

    expect(await keepalive.scheduleKeepAlive()).toBe("queued");
    expect(await worker.drainInbox("keepalive-test", { run: (j) => keepalive.runKeepAliveJob(j) })).toBe(1);
    expect(await h.db().inboxJob.findFirstOrThrow({ where: { kind: "maintenance" } })).toMatchObject({ status: "done", attempts: 1, memberId: "" });
    expect(await grantsSince(seq)).toBe(2);
    // The refresh path marked it: the doctor shows the installer pair as needs_reauth.
    expect(await pairOf(A)).toMatchObject({ status: "needs_reauth", lastError: "invalid_grant" });
    expect(await pairOf(B)).toMatchObject({ status: "active", refreshFailures: 0 });
    expect((await pairOf(B)).lastRefreshAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await expect(clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current")).rejects.toMatchObject({ code: "needs_reauth" });
  });
});

describe("scheduling", () => {
  it("scheduling twice on one UTC day stores one job, the next day another, from any number of instances at once [#43]", async () => {
    const day1 = new Date("2030-03-01T00:00:05Z");
    const late = new Date("2030-03-01T23:59:59Z");
    const day2 = new Date("2030-03-02T00:00:01Z");
    expect(await Promise.all([keepalive.scheduleKeepAlive(day1), keepalive.scheduleKeepAlive(day1)])).toEqual(["queued", "duplicate"]);
    expect(await keepalive.scheduleKeepAlive(late)).toBe("duplicate");
    expect(await keepalive.scheduleKeepAlive(day2)).toBe("queued");
    const jobs = await h.db().inboxJob.findMany({ orderBy: { payload: "asc" } });
    expect(jobs.map((j) => [j.kind, j.name, j.memberId, j.payload])).toEqual([
      ["maintenance", "KEEPALIVE", "", '{"day":"2030-03-01"}'],
      ["maintenance", "KEEPALIVE", "", '{"day":"2030-03-02"}'],
    ]);
    expect(jobs[0]!.dedupKey).toBe(inbox.dedupKey(["keepalive", "2030-03-01"]));
  });

  it("an unknown maintenance job stops at once", async () => {
    const job = { id: "x", memberId: "", kind: "maintenance" as const, name: "OTHER", dedupKey: "x", payload: {}, attempt: 1, version: 1 };
    await expect(keepalive.runKeepAliveJob(job)).rejects.toBeInstanceOf(worker.Permanent);
  });
});

describe("B24_KEEPALIVE_DAYS", () => {
  it("defaults to 150 and refuses 0, 180 and non-whole values, naming the variable", () => {
    const base = { ...process.env, B24_KEEPALIVE_DAYS: undefined };
    expect(envModule.parseServerEnv(base).B24_KEEPALIVE_DAYS).toBe(150);
    expect(envModule.parseServerEnv({ ...base, B24_KEEPALIVE_DAYS: "30" }).B24_KEEPALIVE_DAYS).toBe(30);
    for (const bad of ["0", "180", "1.5", "soon"]) {
      expect(() => envModule.parseServerEnv({ ...base, B24_KEEPALIVE_DAYS: bad })).toThrow(/B24_KEEPALIVE_DAYS/);
    }
  });
});
