import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBracket } from "@/e2e/emulator/form";
import { installNoUi, snapshot, startHarness, type Harness } from "@/test/event-harness";
import type * as Licence from "./licence";
import type * as Gate from "./licence-gate";
import type * as Sweep from "./inbox/licence-sweep";

/**
 * licence.ts through a real emulator (portal + OAuth server) and a temp database: the licence comes only from the
 * portal's app.info asked with the installer's stored pair; ONAPPPAYMENT is a nudge whose body is never read.
 */
let h: Harness;
let A: string;
let B: string;
let C: string;
let lic: typeof Licence;
let gate: typeof Gate;
let sweep: typeof Sweep;

beforeAll(async () => {
  h = await startHarness(3);
  [A, B, C] = h.emu.portals.map((p) => p.memberId) as [string, string, string];
  lic = await import("./licence");
  gate = await import("./licence-gate");
  sweep = await import("./inbox/licence-sweep");
  for (const m of [A, B, C]) await installNoUi(h, m);
});

afterAll(async () => {
  await h?.stop();
});

const DAY = 86_400_000;
const row = (m: string) => h.db().portal.findUniqueOrThrow({ where: { memberId: m } });
const appInfoCalls = async (since: number, m: string) => {
  const host = h.emu.portals.find((p) => p.memberId === m)!.host;
  return (await h.emu.control.log(since)).filter((r) => r.server === "portal" && r.host === host && r.path === "/rest/app.info");
};
const hint = (memberId: string) =>
  encodeBracket({ event: "ONAPPPAYMENT", data: { CODE: "x", VERSION: "1", STATUS: "P", PAYMENT_EXPIRED: "N", DAYS: "365", LANGUAGE_ID: "en" }, auth: { domain: "x", member_id: memberId } }).toString();

describe("licenceOf", () => {
  it("reads app.info once for concurrent callers with the installer's pair, stores it, and re-reads only when a day old", async () => {
    await h.emu.control.setLicence(A, { status: "T", daysLeft: 10, license: "de_pro100" });
    const seq = await h.lastSeq();
    const all = await Promise.all(Array.from({ length: 6 }, () => lic.licenceOf(A)));
    for (const l of all) expect(l).toMatchObject({ state: "trial", daysLeft: 10, status: "T", family: "pro", allowed: true, refreshFailed: null });
    const calls = await appInfoCalls(seq, A);
    expect(calls).toHaveLength(1);
    const installer = await h.db().tokenPair.findFirstOrThrow({ where: { memberId: A, kind: "portal" } });
    expect(installer.bitrixUserId).toBe(1);
    expect(calls[0]!.status).toBe(200);
    expect(await row(A)).toMatchObject({ appStatus: "T", paymentExpired: false, licenceDays: 10, licenceFamily: "pro" });

    expect((await lic.licenceOf(A)).state).toBe("trial");
    expect(await appInfoCalls(seq, A)).toHaveLength(1);
    await h.emu.control.setLicence(A, { status: "P", daysLeft: 300 });
    expect(await lic.licenceOf(A, Date.now() + lic.LICENCE_MAX_AGE_MS + 1000)).toMatchObject({ state: "paid", daysLeft: 300 });
    expect(await appInfoCalls(seq, A)).toHaveLength(2);
    expect(await lic.marketCardUrl(A)).toBe(`https://${h.emu.portals[0]!.host}/market/detail/local.events.test.0001/`);
  });

  it("a failed re-read keeps the older snapshot and says so; page views do not retry it at once", async () => {
    const before = await row(A);
    await h.emu.control.addFault({ path: "/rest/app.info", kind: "status", status: 503, count: 20 });
    try {
      const later = Date.now() + 2 * DAY;
      const l = await lic.licenceOf(A, later);
      expect(l).toMatchObject({ state: "paid", daysLeft: 300, allowed: true });
      expect(l.refreshFailed).toBeTruthy();
      expect(l.checkedAt).toEqual(before.licenceCheckedAt);
      const seq = await h.lastSeq();
      expect((await lic.licenceOf(A, later)).refreshFailed).toBeTruthy();
      expect(await appInfoCalls(seq, A)).toHaveLength(0);
    } finally {
      await h.emu.control.clearFaults();
    }
    expect(await lic.refreshLicence(A)).toMatchObject({ state: "paid", refreshFailed: null });
  });
});

describe("requireLicence", () => {
  it("passes a usable licence, sends an expired one to the paywall, or throws 402 for route handlers", async () => {
    expect(await gate.requireLicence(A)).toMatchObject({ state: "paid" });
    await h.emu.control.setLicence(C, { status: "P", daysLeft: -20 });
    await expect(lic.refreshLicence(C)).resolves.toMatchObject({ state: "expired", allowed: false });
    await expect(gate.requireLicence(C)).rejects.toMatchObject({ digest: expect.stringContaining("/paywall") });
    await expect(gate.requireLicence(C, { onRefused: "throw" })).rejects.toMatchObject({ code: "payment_required" });
    await expect(gate.requireLicence(C, { allow: ["expired"] })).resolves.toMatchObject({ state: "expired" });
  });
});

describe("ONAPPPAYMENT is never trusted", () => {
  it("a forged nudge (STATUS P) for an expired trial changes nothing: app.info is asked and Bitrix24's answer stands", async () => {
    await h.emu.control.setLicence(B, { status: "T", daysLeft: -1 });
    expect(await lic.licenceOf(B)).toMatchObject({ state: "expired", allowed: false });
    expect(await row(B)).toMatchObject({ status: "blocked", statusReason: "PAYMENT_REQUIRED" });
    const before = await snapshot(h);
    const seq = await h.lastSeq();
    expect((await h.post(hint(B))).status).toBe(200);
    await h.settle();
    const calls = await appInfoCalls(seq, B);
    expect(calls.map((c) => c.status)).toEqual([401]);
    const after = await snapshot(h);
    const strip = (s: typeof before) => s.portals.map(({ updatedAt: _u, ...p }) => p);
    expect(strip(after)).toEqual(strip(before));
    expect(await lic.licenceOf(B)).toMatchObject({ state: "expired", allowed: false });

    // The way out: Bitrix24 makes it paid, and a later nudge's re-read believes Bitrix24's answer.
    await h.emu.control.setLicence(B, { status: "P", daysLeft: 30 });
    await h.settle();
    expect(await lic.nudgeLicence(B, { now: Date.now() + lic.NUDGE_WINDOW_MS, schedule: () => undefined })).toBe("refreshed");
    expect(await row(B)).toMatchObject({ status: "active", appStatus: "P", licenceDays: 30, paymentExpired: false });
    expect(await lic.licenceOf(B)).toMatchObject({ state: "paid", daysLeft: 30, allowed: true });
  });

  it("a nudge for an unknown member_id does nothing and sends nothing", async () => {
    const before = await snapshot(h);
    const seq = await h.lastSeq();
    expect((await h.post(hint("0".repeat(32)))).status).toBe(200);
    await h.settle();
    expect(await h.emu.control.log(seq)).toEqual([]);
    expect(await snapshot(h)).toEqual(before);
    expect(await lic.nudgeLicence("f".repeat(32))).toBe("unknown_portal");
  });

  it("a flood of nudges makes one re-read now and one more at the window's end, never more", async () => {
    const t0 = Date.now() + 10 * lic.NUDGE_WINDOW_MS;
    const scheduled: Array<{ run: () => void; ms: number }> = [];
    const schedule = (run: () => void, ms: number) => void scheduled.push({ run, ms });
    const seq = await h.lastSeq();
    expect(await lic.nudgeLicence(A, { now: t0, schedule })).toBe("refreshed");
    const outcomes = [];
    for (let i = 1; i <= 20; i++) outcomes.push(await lic.nudgeLicence(A, { now: t0 + i * 1000, schedule }));
    expect(outcomes[0]).toBe("scheduled");
    expect(new Set(outcomes.slice(1))).toEqual(new Set(["coalesced"]));
    expect(await appInfoCalls(seq, A)).toHaveLength(1);
    expect(scheduled.map((s) => s.ms)).toEqual([lic.NUDGE_WINDOW_MS - 1000]);
    scheduled[0]!.run();
    await lic.refreshLicence(A);
    expect(await appInfoCalls(seq, A)).toHaveLength(2);
  });
});

describe("the daily re-read", () => {
  it("asks only portals whose snapshot is older than a day (or was never read)", async () => {
    await h.db().portal.update({ where: { memberId: A }, data: { licenceCheckedAt: new Date(Date.now() - 2 * DAY) } });
    await h.db().portal.update({ where: { memberId: B }, data: { licenceCheckedAt: new Date() } });
    await h.db().portal.update({ where: { memberId: C }, data: { licenceCheckedAt: new Date() } });
    const seq = await h.lastSeq();
    expect(await sweep.runLicenceSweep()).toEqual({ stale: 1, failed: 0 });
    expect(await appInfoCalls(seq, A)).toHaveLength(1);
    expect(await appInfoCalls(seq, B)).toHaveLength(0);
    expect((await row(A)).licenceCheckedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(sweep.licenceSweepJob(new Date("2030-01-01T01:00:00Z")).dedupKey).toBe(sweep.licenceSweepJob(new Date("2030-01-01T05:59:00Z")).dedupKey);
  });

  it("runs as a maintenance job from the inbox, queued once per window by any number of instances", async () => {
    const { runMaintenanceJob } = await import("./inbox/maintenance");
    const worker = await import("./inbox/worker");
    await h.db().portal.update({ where: { memberId: A }, data: { licenceCheckedAt: new Date(Date.now() - 2 * DAY) } });
    expect(await Promise.all([sweep.scheduleLicenceSweep(), sweep.scheduleLicenceSweep()])).toEqual(["queued", "duplicate"]);
    const seq = await h.lastSeq();
    expect(await worker.drainInbox("licence-test", { run: runMaintenanceJob })).toBe(1);
    expect(await h.db().inboxJob.findFirstOrThrow({ where: { kind: "maintenance", name: "LICENCE" } })).toMatchObject({ status: "done", memberId: "" });
    expect(await appInfoCalls(seq, A)).toHaveLength(1);
  });
});
