import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installNoUi, startHarness, type Harness } from "@/test/event-harness";
import { scoreOf } from "@/lib/handlers/score-deal";
import type * as Clients from "../clients";
import type * as Store from "../store/inbox";
import type * as RobotJob from "./robot-job";
import type * as Worker from "./worker";

/**
 * A robot call from the inbox to the waiting automation step, against a real emulator: the emulator runs score_deal
 * on a deal, the route stores the call, a worker runs the handler as the installer and answers with
 * bizproc.event.send; a run repeated after the step was answered is done, not retried; a call for a robot or portal
 * that is gone stops at once.
 */
let h: Harness;
let A: string;
let worker: typeof Worker;
let robotJob: typeof RobotJob;
let clients: typeof Clients;

beforeAll(async () => {
  // Only this test's drains run jobs (with runRobotJob injected), never the web process's pump.
  process.env.B24_WORKER_MODE = "separate";
  h = await startHarness(1, { deals: 10 });
  A = h.emu.portals[0]!.memberId;
  worker = await import("./worker");
  robotJob = await import("./robot-job");
  clients = await import("../clients");
  await installNoUi(h, A);
});

afterAll(async () => {
  await h?.stop();
  delete process.env.B24_WORKER_MODE;
});

beforeEach(async () => {
  await h.db().inboxJob.deleteMany({});
});

const drain = () => worker.drainInbox("test-worker", { run: robotJob.runRobotJob });
const runsOf = async (eventToken: string) => (await h.emu.control.robotRuns(A)).filter((r) => r.eventToken === eventToken);

async function dealOpportunity(id: number): Promise<string | null> {
  const b24 = clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 });
  return (await b24.call<{ OPPORTUNITY: string | null }>("crm.deal.get", { id })).result.OPPORTUNITY;
}

/** The stored job as a worker would claim it, for a second run. */
async function asClaimed(attempt: number): Promise<Store.ClaimedJob> {
  const row = await h.db().inboxJob.findFirstOrThrow({ where: { memberId: A, kind: "robot" } });
  return { id: row.id, memberId: row.memberId, kind: "robot", name: row.name, dedupKey: row.dedupKey, payload: JSON.parse(row.payload) as unknown, attempt, version: row.version };
}

describe("runRobotJob", () => {
  it("runs the handler as the installer and answers the waiting step with the score (RETURN_VALUES)", async () => {
    const run = await h.emu.control.runRobot(A, { code: "score_deal", documentId: 5, properties: { weight: "3" } });
    expect(run.delivery?.status).toBe(200);
    expect((await runsOf(run.eventToken!))[0]).toMatchObject({ status: "waiting" });
    expect(await drain()).toBe(1);
    const expected = scoreOf(await dealOpportunity(5), 3);
    expect(expected).toBeGreaterThan(0);
    expect((await runsOf(run.eventToken!))[0]).toMatchObject({ status: "done", returnValues: { score: expected }, logMessage: "Score the deal: done." });
    expect(await h.db().inboxJob.findFirstOrThrow({ where: { memberId: A } })).toMatchObject({ status: "done", attempts: 1 });
  });

  it("the step's default weight (1) applies when the step kept none", async () => {
    const run = await h.emu.control.runRobot(A, { code: "score_deal", documentId: 6 });
    expect(new URLSearchParams(run.delivery!.body).get("properties[weight]")).toBe("1");
    await drain();
    expect((await runsOf(run.eventToken!))[0]!.returnValues).toEqual({ score: scoreOf(await dealOpportunity(6), 1) });
  });

  it("a run repeated after the step was answered (the worker died before recording it) is done; a first run with a used token stops", async () => {
    const run = await h.emu.control.runRobot(A, { code: "score_deal", documentId: 7, properties: { weight: "2" } });
    await drain();
    expect((await runsOf(run.eventToken!))[0]).toMatchObject({ status: "done" });
    await expect(robotJob.runRobotJob(await asClaimed(2))).resolves.toBeUndefined();
    await expect(robotJob.runRobotJob(await asClaimed(1))).rejects.toBeInstanceOf(worker.Permanent);
  });

  it("a robot no longer in the manifest, or a portal without the app, stops at once (no retry)", async () => {
    const run = await h.emu.control.runRobot(A, { code: "score_deal", documentId: 8 });
    const job = await asClaimed(1);
    await expect(robotJob.runRobotJob({ ...job, name: "gone_robot" })).rejects.toThrow(/No robot gone_robot/);
    await expect(robotJob.runRobotJob({ ...job, memberId: "f".repeat(32) })).rejects.toBeInstanceOf(worker.Permanent);
    await expect(robotJob.runRobotJob({ ...job, payload: { ...(job.payload as object), documentId: "LEAD_8" } })).rejects.toBeInstanceOf(worker.Permanent);
    // Nothing answered the step.
    expect((await runsOf(run.eventToken!))[0]).toMatchObject({ status: "waiting" });
  });
});
