import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { until } from "@/e2e/emulator/tests/helpers";
import { installNoUi, startHarness, type Harness } from "@/test/event-harness";
import { LAST_UPDATE_OPTION } from "@/lib/handlers/on-deal-update";
import type * as Clients from "../clients";
import type * as Inbox from "../store/inbox";
import type * as Offline from "./offline";
import type * as Worker from "./worker";

/**
 * Offline events against a real emulator: the installer binds ONCRMDEALUPDATE offline and ONOFFLINEEVENT online;
 * a deal change lands in the portal's queue, the signal queues a drain, the drain reserves a batch (clear=0),
 * commits its events to the inbox and only then clears it. Faults in the middle (a lost get answer, a failed clear)
 * leave the batch reserved at Bitrix24, and the drain's retry finds it (event.offline.list) and finishes it, each
 * event handled once.
 */
let h: Harness;
let A: string;
let worker: typeof Worker;
let offline: typeof Offline;
let inbox: typeof Inbox;
let clients: typeof Clients;

beforeAll(async () => {
  // Only this test's drains run jobs, never the web process's pump.
  process.env.B24_WORKER_MODE = "separate";
  h = await startHarness(1, { deals: 10 });
  A = h.emu.portals[0]!.memberId;
  worker = await import("./worker");
  offline = await import("./offline");
  inbox = await import("../store/inbox");
  clients = await import("../clients");
  await installNoUi(h, A);
});

afterAll(async () => {
  await h?.stop();
  delete process.env.B24_WORKER_MODE;
});

beforeEach(async () => {
  await h.db().inboxJob.deleteMany({});
  await h.emu.control.clearFaults();
});

const installer = () => clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 });
const drain = () => worker.drainInbox("test-worker");
const queued = async () => (await h.emu.control.portal(A)).offlineEvents;
const restCalls = async (method: string, since: number) => (await h.emu.control.log(since)).filter((e) => e.server === "portal" && e.path === `/rest/${method}`);
/** A top-level parameter of a logged request body (the client posts JSON or a form). */
function param(body: string, key: string): string | null {
  try {
    const v = (JSON.parse(body) as Record<string, unknown>)[key];
    return v === undefined || v === null ? null : String(v);
  } catch {
    return new URLSearchParams(body).get(key);
  }
}
/** crm.deal.get calls per deal id: the handler's side effect, one read per handled event. */
async function handledIds(since: number): Promise<string[]> {
  return (await restCalls("crm.deal.get", since)).map((e) => param(e.body, "id") ?? "").sort();
}
const eventJobs = (status: string) => h.db().inboxJob.count({ where: { memberId: A, kind: "event", status } });
/**
 * A person changes a deal in Bitrix24. The app's own writes never reach its offline queue (Bitrix24 skips changes made
 * by the app itself), so the title is set with the app's token and the change event is raised as user 1's.
 */
async function personChanges(id: number, title: string): Promise<void> {
  await installer().call("crm.deal.update", { id, fields: { TITLE: title } });
  await h.emu.control.events(A, { event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: id } }, userId: 1 });
}
const askDrain = (reason: string) => inbox.enqueueJob(offline.drainJob(A, reason));
/** Pending drains (a retry: the harness's backoff is 10 min; a follow-up) made due now. */
const retryNow = () => h.db().inboxJob.updateMany({ where: { kind: "offline", status: "pending" }, data: { runAfter: new Date() } });

describe("offline events", () => {
  it("binds the manifest's offline event without a handler and ONOFFLINEEVENT to the events route [#13]", async () => {
    const { result } = await installer().call<Array<{ event: string; handler?: string; offline: number }>>("event.get");
    expect(result).toContainEqual(expect.objectContaining({ event: "ONCRMDEALUPDATE", offline: 1 }));
    expect(result).toContainEqual(expect.objectContaining({ event: "ONOFFLINEEVENT", handler: h.eventsUrl, offline: 0 }));
    expect(result.filter((b) => b.event === "ONCRMDEALUPDATE" && b.offline === 0)).toEqual([]);
  });

  it("drains on the signal: every changed deal handled once, its latest state, and the queue cleared after the commit", async () => {
    const since = await h.lastSeq();
    for (const [id, title] of [[1, "a"], [2, "b"], [1, "c"]] as const) await personChanges(id, title);
    // ONOFFLINEEVENT reaches the events route, which queues a drain (and only that: the signal carries no data).
    await until(async () => ((await h.db().inboxJob.count({ where: { kind: "offline" } })) ? true : undefined));
    expect(await queued()).toBe(2);
    await drain();
    expect(await queued()).toBe(0);
    expect(await handledIds(since)).toEqual(["1", "2"]);
    // The signal's drain and its two events are done; one more look is queued for after the signal's throttle window.
    expect(await inbox.jobCounts(A)).toMatchObject({ done: 3, pending: 1, dead: 0 });
    const option = (await installer().call<string>("app.option.get", { option: LAST_UPDATE_OPTION })).result;
    expect(JSON.parse(option)).toMatchObject({ id: expect.stringMatching(/^[12]$/) });
    const [get] = await restCalls("event.offline.get", since);
    expect(param(get!.body, "clear")).toBe("0");
  });

  it("a change inside ONOFFLINEEVENT's throttle window raises no signal; the signal's follow-up drain takes it", async () => {
    // Past the previous test's signal, then the emulator's clock stands still: the second change below is inside the
    // 1 s window of the signal the first one sends.
    await h.emu.control.clock({ freeze: true, advanceSec: 5 });
    try {
      const first = await h.emu.control.events(A, { event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: 6 } }, userId: 1 });
      expect(first.deliveries.map((d) => d.event)).toEqual(["ONOFFLINEEVENT"]);
      await drain();
      const since = await h.lastSeq();
      await installer().call("crm.deal.update", { id: 7, fields: { TITLE: "late" } });
      const late = await h.emu.control.events(A, { event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: 7 } }, userId: 1 });
      expect(late.deliveries).toEqual([]);
      expect(await queued()).toBe(1);
      const followUp = await h.db().inboxJob.findFirstOrThrow({ where: { kind: "offline", status: "pending" } });
      expect(followUp.runAfter.getTime()).toBeGreaterThan(Date.now());
      await retryNow();
      await drain();
      expect(await queued()).toBe(0);
      expect(await handledIds(since)).toEqual(["7"]);
      // The follow-up looks once and queues no further look.
      expect(await h.db().inboxJob.count({ where: { kind: "offline", status: "pending" } })).toBe(0);
    } finally {
      await h.emu.control.clock({ freeze: false });
    }
  });

  it("a failed clear leaves the batch reserved; the retry re-reads it by process_id, stores nothing twice and clears it", async () => {
    // From here on the tests ask for drains themselves: no signal may queue another one in between.
    await installer().call("event.unbind", { event: "ONOFFLINEEVENT", handler: h.eventsUrl });
    await personChanges(3, "x");
    await personChanges(4, "y");
    await h.db().inboxJob.deleteMany({});
    const since = await h.lastSeq();
    await h.emu.control.addFault({ path: "/rest/event.offline.clear", kind: "status", status: 500, body: { error: "INTERNAL_SERVER_ERROR", error_description: "fault" }, count: 10 });
    await askDrain("clear-fails");
    await drain();
    // Committed before the clear was tried: the events are in the inbox (and handled), still queued at Bitrix24.
    expect(await handledIds(since)).toEqual(["3", "4"]);
    expect(await queued()).toBe(2);
    const reserved = (await installer().call<Array<{ PROCESS_ID?: string | null }>>("event.offline.list")).result;
    expect(reserved.every((r) => typeof r.PROCESS_ID === "string" && r.PROCESS_ID.length === 32)).toBe(true);
    await h.emu.control.clearFaults();
    await retryNow();
    await drain();
    expect(await queued()).toBe(0);
    expect(await handledIds(since)).toEqual(["3", "4"]);
    expect([await eventJobs("done"), await eventJobs("pending")]).toEqual([2, 0]);
    const reread = (await restCalls("event.offline.get", since)).map((e) => param(e.body, "process_id")).filter(Boolean);
    expect(reread).toHaveLength(1);
  });

  it("a get whose answer was lost (the app died after Bitrix24 reserved the batch) is recovered by the retry, nothing lost", async () => {
    await personChanges(5, "z");
    await h.db().inboxJob.deleteMany({});
    const since = await h.lastSeq();
    await h.emu.control.addFault({ path: "/rest/event.offline.get", kind: "drop-after-success", count: 1 });
    await askDrain("get-lost");
    await drain();
    expect(await handledIds(since)).toEqual([]);
    expect(await queued()).toBe(1);
    expect(await h.db().inboxJob.count({ where: { kind: "offline", status: "pending" } })).toBe(1);
    await retryNow();
    await drain();
    expect(await queued()).toBe(0);
    expect(await handledIds(since)).toEqual(["5"]);
  });

  it("the sweep queues one recovering drain per installed portal per hour, whoever asks", async () => {
    const at = new Date("2026-11-30T10:15:00Z");
    expect(await offline.scheduleOfflineSweep(at)).toBe(1);
    expect(await offline.scheduleOfflineSweep(new Date("2026-11-30T10:59:00Z"))).toBe(0);
    expect(await offline.scheduleOfflineSweep(new Date("2026-11-30T11:00:00Z"))).toBe(1);
    const jobs = await h.db().inboxJob.findMany({ where: { kind: "offline" } });
    expect(jobs.map((j) => JSON.parse(j.payload) as unknown)).toEqual([{ recover: true }, { recover: true }]);
  });

  it("turns EVENT_DATA into the string tree an online delivery gives handlers", () => {
    expect(offline.toFormTree({ FIELDS: { ID: 7, ENTITY_TYPE_ID: 2 }, X: null })).toEqual({ FIELDS: { ID: "7", ENTITY_TYPE_ID: "2" } });
    expect(offline.toFormTree(false)).toEqual({});
  });
});
