import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { B24Error } from "@/lib/errors";
import { installNoUi, startHarness, withAuth, type Harness } from "@/test/event-harness";
import type { B24Client } from "../transport/client";
import type * as Robots from "./robots";

/**
 * Automation robots: the manifest's robots (bitrix24.app.ts: score_deal) made equal on the portal with a fake client,
 * and the robot call (/api/b24/robot) against a real emulator that registers the robot at install and runs it on a
 * deal: only a call whose application_token matches is stored, once per event_token, and only for declared codes.
 */
let h: Harness;
let A: string;
let robots: typeof Robots;
let token: string;
let handler: string;

beforeAll(async () => {
  // Jobs stay in the inbox for the assertions; inbox/robot-job.test.ts runs them.
  process.env.B24_WORKER_MODE = "separate";
  h = await startHarness(1, { deals: 10 });
  A = h.emu.portals[0]!.memberId;
  robots = await import("./robots");
  handler = `${h.appUrl}/api/b24/robot`;
  token = (await installNoUi(h, A)).applicationToken;
});

afterAll(async () => {
  await h?.stop();
  delete process.env.B24_WORKER_MODE;
});

type Call = [method: string, params: Record<string, unknown>];

/** A portal holding `codes` (bizproc.robot.list) that records every call; `fail` makes a method throw once. */
function portal(codes: string[], fail: Record<string, B24Error> = {}) {
  const calls: Call[] = [];
  const client = {
    call: async (method: string, params: Record<string, unknown> = {}) => {
      calls.push([method, params]);
      if (method === "bizproc.robot.list") return { result: codes };
      const err = fail[method];
      if (err) {
        delete fail[method];
        throw err;
      }
      return { result: true };
    },
  } as unknown as B24Client;
  return { client, calls };
}

const NAME = { en: "Score the deal", ru: "Оценить сделку", de: "Deal bewerten" };

describe("syncRobots", () => {
  it("adds a missing robot for the installer, waiting for bizproc.event.send, with names per language and its properties", async () => {
    const { client, calls } = portal([]);
    expect(await robots.syncRobots(client, 7)).toEqual({ added: ["score_deal"], updated: [], removed: [] });
    expect(calls).toEqual([
      ["bizproc.robot.list", {}],
      [
        "bizproc.robot.add",
        {
          CODE: "score_deal",
          HANDLER: handler,
          AUTH_USER_ID: 7,
          USE_SUBSCRIPTION: "Y",
          NAME,
          PROPERTIES: { weight: { Name: { en: "Weight", ru: "Вес", de: "Gewichtung" }, Type: "int", Required: "N", Multiple: "N", Default: 1 } },
          RETURN_PROPERTIES: { score: { Name: { en: "Score", ru: "Оценка", de: "Punktzahl" }, Type: "int", Required: "N", Multiple: "N" } },
          DOCUMENT_TYPE: ["crm", "CCrmDocumentDeal", "DEAL"],
          FILTER: { INCLUDE: [["crm", "CCrmDocumentDeal"]] },
        },
      ],
    ]);
  });

  it("updates a registered robot with the same fields (a changed manifest is written through) and deletes codes no longer declared", async () => {
    const { client, calls } = portal(["old_robot", "score_deal"]);
    expect(await robots.syncRobots(client, 7)).toEqual({ added: [], updated: ["score_deal"], removed: ["old_robot"] });
    expect(calls.map((c) => `${c[0]} ${String(c[1].CODE ?? "")}`)).toEqual(["bizproc.robot.list ", "bizproc.robot.delete old_robot", "bizproc.robot.update score_deal"]);
    const { CODE: _code, ...fields } = await addParams();
    expect(calls[2]![1]).toEqual({ CODE: "score_deal", FIELDS: fields });
  });

  it("converges when another run raced it: already installed → update, gone since the list → add, deleted twice → fine", async () => {
    const installed = new B24Error("bad_request", "Activity or Robot already installed!", { upstream: "ERROR_ACTIVITY_ALREADY_INSTALLED" });
    const gone = new B24Error("bad_request", "Activity or Robot not found!", { upstream: "ERROR_ACTIVITY_NOT_FOUND" });
    const raced = portal([], { "bizproc.robot.add": installed });
    expect(await robots.syncRobots(raced.client, 1)).toEqual({ added: [], updated: ["score_deal"], removed: [] });
    const dropped = portal(["score_deal", "x"], { "bizproc.robot.update": gone, "bizproc.robot.delete": gone });
    expect(await robots.syncRobots(dropped.client, 1)).toEqual({ added: ["score_deal"], updated: [], removed: ["x"] });
    expect(dropped.calls.map((c) => c[0])).toEqual(["bizproc.robot.list", "bizproc.robot.delete", "bizproc.robot.update", "bizproc.robot.add"]);
  });

  it("throws any other refusal (the installer shows it)", async () => {
    const denied = new B24Error("forbidden", "Access denied!", { upstream: "ACCESS_DENIED" });
    await expect(robots.syncRobots(portal([], { "bizproc.robot.add": denied }).client, 1)).rejects.toMatchObject({ upstream: "ACCESS_DENIED" });
  });
});

/** The parameters syncRobots adds score_deal with. */
async function addParams(): Promise<Record<string, unknown>> {
  const { client, calls } = portal([]);
  await robots.syncRobots(client, 7);
  return calls[1]![1];
}

// --- The robot call ---

const jobs = () => h.db().inboxJob.findMany({ where: { memberId: A, kind: "robot" }, orderBy: { createdAt: "asc" } });

/** Calls the route handler directly, as the portal's queue would POST. */
async function post(body: string) {
  const res = await robots.handleRobotCall(new Request(handler, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } }), h.defer);
  return { status: res.status, body: (await res.json()) as { status?: string; error?: string } };
}

/** A genuine robot call's form body: the emulator runs score_deal on deal 3 and POSTs to the app. */
async function genuineCall(properties: Record<string, string> = { weight: "2" }) {
  const run = await h.emu.control.runRobot(A, { code: "score_deal", documentId: 3, properties });
  return { status: run.delivery!.status, body: run.delivery!.body, eventToken: run.eventToken! };
}

describe("the robot call (/api/b24/robot)", () => {
  beforeEach(async () => {
    await h.db().inboxJob.deleteMany({});
  });

  it("install registered the robot at the app's handler URL for the installer", async () => {
    const held = await h.emu.control.robots(A);
    // Bitrix24 stores the language keys upper-cased (prepareActivityData).
    expect(held).toEqual([expect.objectContaining({ code: "score_deal", handler, authUserId: 1, useSubscription: "Y", name: { EN: NAME.en, RU: NAME.ru, DE: NAME.de } })]);
    expect(held[0]!.properties).toMatchObject({ weight: { TYPE: "int", DEFAULT: 1 } });
    expect(Object.keys(held[0]!.returnProperties)).toEqual(["score"]);
  });

  it("a genuine call is stored once as a robot job (declared properties only, no OAuth token) and answered 200", async () => {
    const call = await genuineCall();
    expect(call.status).toBe(200);
    const rows = await jobs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "score_deal", status: "pending" });
    const payload = JSON.parse(rows[0]!.payload) as Robots.RobotPayload;
    expect(payload).toEqual({ code: "score_deal", documentId: "DEAL_3", properties: { weight: "2" }, eventToken: call.eventToken, ts: expect.stringMatching(/^\d+$/) });
    const posted = new URLSearchParams(call.body);
    for (const secret of [posted.get("auth[access_token]"), posted.get("auth[refresh_token]"), token]) {
      expect(secret).toBeTruthy();
      expect(rows[0]!.payload).not.toContain(secret!);
    }
  });

  it("the same event_token delivered twice makes one job; another run of the robot makes another", async () => {
    const call = await genuineCall();
    expect((await post(call.body)).status).toBe(200);
    expect(await jobs()).toHaveLength(1);
    await genuineCall();
    expect(await jobs()).toHaveLength(2);
  });

  it("a forged or missing application_token → 403 and nothing stored", async () => {
    const { body } = await genuineCall();
    await h.db().inboxJob.deleteMany({});
    const wrong = token.slice(0, -1) + (token.endsWith("a") ? "b" : "a");
    for (const forged of [withAuth(body, { application_token: wrong }), withAuth(body, { application_token: null }), withAuth(body, { member_id: "f".repeat(32) })]) {
      expect(await post(forged)).toMatchObject({ status: 403, body: { error: "forbidden" } });
    }
    expect(await jobs()).toEqual([]);
  });

  it("an undeclared robot code → 404 after authentication; nothing stored", async () => {
    const { body } = await genuineCall();
    await h.db().inboxJob.deleteMany({});
    const params = new URLSearchParams(body);
    params.set("code", "other_robot");
    expect(await post(params.toString())).toMatchObject({ status: 404, body: { error: "not_found" } });
    params.set("auth[application_token]", "x".repeat(32));
    expect((await post(params.toString())).status).toBe(403);
    expect(await jobs()).toEqual([]);
  });

  it.each([
    ["a document that is not a deal", "document_id[2]", "LEAD_3"],
    ["a deal id that is not a number", "document_id[2]", "DEAL_3 OR 1=1"],
    ["a malformed event token", "event_token", "not|a|token"],
    ["a malformed code", "code", "score deal"],
    ["a weight that is not an int", "properties[weight]", "2; DROP"],
  ])("%s → 400, nothing stored", async (_name, key, value) => {
    const { body } = await genuineCall();
    await h.db().inboxJob.deleteMany({});
    const params = new URLSearchParams(body);
    params.set(key, value);
    expect((await post(params.toString())).status).toBe(400);
    expect(await jobs()).toEqual([]);
  });

  it("an undeclared property is dropped", async () => {
    const { body } = await genuineCall();
    await h.db().inboxJob.deleteMany({});
    const params = new URLSearchParams(body);
    params.set("event_token", params.get("event_token")!.replace(/.$/, (c) => (c === "0" ? "1" : "0")));
    params.set("properties[extra]", "1");
    expect((await post(params.toString())).status).toBe(200);
    expect(JSON.parse((await jobs())[0]!.payload)).toMatchObject({ properties: { weight: "2" } });
    expect(JSON.parse((await jobs())[0]!.payload).properties).not.toHaveProperty("extra");
  });
});
