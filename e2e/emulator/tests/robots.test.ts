import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorControlClient } from "../control-client";
import type { Emulator } from "../index";
import type { RestContext } from "../rest/auth";
import { signToken } from "../robots/model";
import { callMethod } from "../rest/call";
import "../rest/handler";
import { EmulatorState } from "../state";
import type { TokenPair } from "../tokens";
import { APP, rest, signIn, start, startReceiver, type Received, type Tokens } from "./helpers";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
const SCOPE = "crm,user,placement,bizproc";

let app: Receiver;
let emu: Emulator;
let url: string;
let memberId: string;
let admin: Tokens;
let user: Tokens;
let H: string;

beforeAll(async () => {
  app = await startReceiver();
  H = `${app.url}/api/b24/robots`;
  emu = await start({ app: { ...APP, appUrl: app.url, scope: SCOPE }, portals: [{ deals: 5 }, { deals: 2 }] });
  url = emu.portals[0]!.url;
  memberId = emu.portals[0]!.memberId;
  admin = await signIn(emu, 0, 1);
  user = await signIn(emu, 0, 2);
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

const call = (method: string, params: Record<string, unknown> = {}, token = admin.access_token) => rest(url, method, token, params);
const add = (params: Record<string, unknown>, token = admin.access_token) => call("bizproc.robot.add", params, token);
const robot = (code: string, extra: Record<string, unknown> = {}) => ({ CODE: code, HANDLER: H, NAME: `Robot ${code}`, ...extra });
const deleteAll = async () => {
  for (const code of (await call("bizproc.robot.list")).body.result as string[]) await call("bizproc.robot.delete", { CODE: code });
};
const err = (r: { status: number; body: { error?: string; error_description?: string } }) => [r.status, r.body.error, r.body.error_description];
const lastReceived = (): Received => app.received[app.received.length - 1]!;

describe("bizproc.robot.add", () => {
  beforeEach(deleteAll);

  it("registers a robot; list answers its code; the stored row keeps property codes and upper-cases their fields", async () => {
    const r = await add({
      code: "invoice.make-1_x", handler: H, auth_user_id: "1", use_subscription: "Y",
      name: { en: "Make invoice", ru: "Счёт" }, description: "Creates an invoice",
      properties: { invoiceTitle: { Name: "Title", Type: "string", Required: "Y" }, kind: { Name: { en: "Kind" }, Type: "select", Options: { a: "A", b: "B" }, Default: "a" } },
      return_properties: { invoiceId: { Name: "Invoice id", Type: "int" } },
      document_type: ["crm", "CCrmDocumentDeal", "DEAL"],
      filter: { INCLUDE: [["crm", "CCrmDocumentDeal"]] },
    });
    expect([r.status, r.body.result]).toEqual([200, true]);
    expect((await call("bizproc.robot.list")).body.result).toEqual(["invoice.make-1_x"]);
    const [row] = await emu.control.robots(memberId);
    expect(row).toEqual({
      code: "invoice.make-1_x", handler: H, authUserId: 1, useSubscription: "Y", name: { EN: "Make invoice", RU: "Счёт" },
      description: "Creates an invoice",
      properties: {
        invoiceTitle: { NAME: "Title", TYPE: "string", REQUIRED: "Y" },
        kind: { NAME: { EN: "Kind" }, TYPE: "select", OPTIONS: { a: "A", b: "B" }, DEFAULT: "a" },
      },
      returnProperties: { invoiceId: { NAME: "Invoice id", TYPE: "int" } },
      documentType: ["crm", "CCrmDocumentDeal", "DEAL"], filter: { INCLUDE: [["crm", "CCrmDocumentDeal"]] },
      usePlacement: "N", placementHandler: null,
    });
  });

  it("refuses a second robot with the same CODE: 400 ERROR_ACTIVITY_ALREADY_INSTALLED", async () => {
    expect((await add(robot("dup"))).body.result).toBe(true);
    const again = await add(robot("dup", { HANDLER: `${H}?other` }));
    expect(err(again)).toEqual([400, "ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!"]);
    expect((await call("bizproc.robot.list")).body.result).toEqual(["dup"]);
  });

  it("validates in the core's order with the documented codes (all 400)", async () => {
    const V = "ERROR_ACTIVITY_VALIDATION_FAILURE";
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{}, V, "Empty data!"],
      [{ HANDLER: H, NAME: "x" }, V, "Empty activity code!"],
      [robot("bad code"), V, "Wrong activity code!"],
      [robot("bad/code"), V, "Wrong activity code!"],
      [{ CODE: "c", NAME: "x" }, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"],
      [robot("c", { HANDLER: "http://localhost:3000/robot" }), "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"],
      [robot("c", { HANDLER: "/api/robot" }), "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"],
      [robot("c", { HANDLER: "ftp://files.example.com/robot" }), "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol"],
      [{ CODE: "c", HANDLER: H }, V, "Empty activity NAME!"],
      [robot("c", { NAME: "" }), V, "Empty activity NAME!"],
      [robot("c", { PROPERTIES: "nope" }), V, "Wrong properties array!"],
      [robot("c", { PROPERTIES: { "1st": { Name: "x" } } }), V, "Wrong property key (1st)!"],
      [robot("c", { PROPERTIES: { "a-b": { Name: "x" } } }), V, "Wrong property key (a-b)!"],
      [robot("c", { PROPERTIES: { title: { Type: "string" } } }), V, "Empty property NAME (title)!"],
      [robot("c", { PROPERTIES: { title: "Title" } }), V, "Empty property NAME (title)!"],
      [robot("c", { RETURN_PROPERTIES: "nope" }), V, "Wrong properties array!"],
      [robot("c", { RETURN_PROPERTIES: { out: { Type: "int" } } }), V, "Empty property NAME (out)!"],
      [robot("c", { DOCUMENT_TYPE: ["crm", "CCrmDocumentDeal"] }), V, "Wrong activity DOCUMENT_TYPE!"],
      [robot("c", { DOCUMENT_TYPE: "DEAL" }), V, "Wrong activity DOCUMENT_TYPE!"],
      [robot("c", { FILTER: "b24" }), V, "Wrong activity FILTER!"],
      [robot("c", { USE_PLACEMENT: "Y" }), "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"],
      [robot("c", { USE_PLACEMENT: "Y", PLACEMENT_HANDLER: "ftp://a.example.com/" }), "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol"],
    ];
    for (const [params, code, description] of cases) {
      expect(err(await add(params)), JSON.stringify(params)).toEqual([400, code, description]);
    }
    expect((await call("bizproc.robot.list")).body.result).toEqual([]);
  });

  it("accepts a string NAME, USE_PLACEMENT=Y with a settings page, and form-encoded (PHP bracket) parameters", async () => {
    expect((await add(robot("placed", { USE_PLACEMENT: "Y", PLACEMENT_HANDLER: `${app.url}/robot-settings` }))).body.result).toBe(true);
    const body = new URLSearchParams({
      auth: admin.access_token, CODE: "formed", HANDLER: H, "NAME[en]": "Formed", "PROPERTIES[note][Name]": "Note",
      "PROPERTIES[note][Type]": "text", "RETURN_PROPERTIES[done][Name]": "Done", "RETURN_PROPERTIES[done][Type]": "bool",
    });
    const res = await fetch(`${url}/rest/bizproc.robot.add`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    expect(await res.json()).toMatchObject({ result: true });
    const rows = await emu.control.robots(memberId);
    expect(rows.map((r) => [r.code, r.usePlacement, r.placementHandler])).toEqual([["placed", "Y", `${app.url}/robot-settings`], ["formed", "N", null]]);
    expect(rows[1]!.properties).toEqual({ note: { NAME: "Note", TYPE: "text" } });
    expect(rows[1]!.returnProperties).toEqual({ done: { NAME: "Done", TYPE: "bool" } });
  });
});

describe("bizproc.robot.update / delete / list", () => {
  beforeEach(async () => {
    await deleteAll();
    await add(robot("r1", { PROPERTIES: { a: { Name: "A" } } }));
  });

  it("update changes only the given FIELDS", async () => {
    const r = await call("bizproc.robot.update", { CODE: "r1", FIELDS: { HANDLER: `${H}?v=2`, AUTH_USER_ID: 2, USE_SUBSCRIPTION: "N", NAME: "Renamed", RETURN_PROPERTIES: { out: { Name: "Out" } } } });
    expect([r.status, r.body.result]).toEqual([200, true]);
    const [row] = await emu.control.robots(memberId);
    expect(row).toMatchObject({ handler: `${H}?v=2`, authUserId: 2, useSubscription: "N", name: "Renamed", properties: { a: { NAME: "A" } }, returnProperties: { out: { NAME: "Out" } } });
  });

  it("update errors: code, unknown robot, no fields, bad handler, bad properties", async () => {
    const V = "ERROR_ACTIVITY_VALIDATION_FAILURE";
    const u = (p: Record<string, unknown>) => call("bizproc.robot.update", p);
    expect(err(await u({ FIELDS: { NAME: "x" } }))).toEqual([400, V, "Empty activity code!"]);
    expect(err(await u({ CODE: "a b", FIELDS: { NAME: "x" } }))).toEqual([400, V, "Wrong activity code!"]);
    expect(err(await u({ CODE: "nope", FIELDS: { NAME: "x" } }))).toEqual([400, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!"]);
    expect(err(await u({ CODE: "r1" }))).toEqual([400, V, "No fields to update"]);
    expect(err(await u({ CODE: "r1", FIELDS: {} }))).toEqual([400, V, "No fields to update"]);
    expect(err(await u({ CODE: "r1", FIELDS: { UNKNOWN: "x", NAME: "" } }))).toEqual([400, V, "No fields to update"]);
    expect(err(await u({ CODE: "r1", FIELDS: { HANDLER: "http://nodot/x" } }))).toEqual([400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"]);
    expect(err(await u({ CODE: "r1", FIELDS: { PROPERTIES: { _x: { Name: "x" } } } }))).toEqual([400, V, "Wrong property key (_x)!"]);
    expect(err(await u({ CODE: "r1", FIELDS: { FILTER: "box" } }))).toEqual([400, V, "Wrong activity FILTER!"]);
    expect(err(await u({ CODE: "r1", FIELDS: { DOCUMENT_TYPE: ["crm"] } }))).toEqual([400, V, "Wrong activity DOCUMENT_TYPE!"]);
    expect((await emu.control.robots(memberId))[0]!.handler).toBe(H);
  });

  it("delete removes the robot; an unknown code is 400 ERROR_ACTIVITY_NOT_FOUND", async () => {
    expect(err(await call("bizproc.robot.delete", {}))).toEqual([400, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Empty activity code!"]);
    expect(err(await call("bizproc.robot.delete", { CODE: "r1!" }))).toEqual([400, "ERROR_ACTIVITY_VALIDATION_FAILURE", "Wrong activity code!"]);
    expect(err(await call("bizproc.robot.delete", { CODE: "nope" }))).toEqual([400, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!"]);
    expect((await call("bizproc.robot.delete", { code: "r1" })).body.result).toBe(true);
    expect((await call("bizproc.robot.list")).body.result).toEqual([]);
    expect(err(await call("bizproc.robot.delete", { CODE: "r1" }))).toEqual([400, "ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!"]);
  });

  it("robots are per portal", async () => {
    const other = await signIn(emu, 1, 1);
    expect((await rest(emu.portals[1]!.url, "bizproc.robot.list", other.access_token)).body.result).toEqual([]);
  });
});

describe("access", () => {
  it("add/update/delete/list are admin-only: 403 ACCESS_DENIED \"Access denied!\"", async () => {
    for (const [m, p] of [["bizproc.robot.add", robot("u1")], ["bizproc.robot.update", { CODE: "u1", FIELDS: { NAME: "x" } }], ["bizproc.robot.delete", { CODE: "u1" }], ["bizproc.robot.list", {}]] as const) {
      expect(err(await call(m, p, user.access_token)), m).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    }
  });

  it("need the bizproc scope: 401 insufficient_scope", async () => {
    const e = await start({ app: { ...APP, appUrl: app.url } });
    try {
      const t = await signIn(e, 0, 1);
      for (const m of ["bizproc.robot.add", "bizproc.robot.list", "bizproc.event.send"]) {
        const r = await rest(e.portals[0]!.url, m, t.access_token, robot("s"));
        expect([r.status, r.body.error], m).toEqual([401, "insufficient_scope"]);
      }
    } finally {
      await e.stop();
    }
  });

  it("need the application context: a non-OAuth (webhook) caller gets 403 ACCESS_DENIED \"…Application context required\"", async () => {
    const state = new EmulatorState({ app: { ...APP, scope: SCOPE } });
    const portal = state.createPortal({});
    const ctx: RestContext = { state, portal, user: portal.users[0]!, pair: {} as TokenPair, scope: new Set(state.app.scope), startMs: 0, authType: "apauth" };
    for (const m of ["bizproc.robot.add", "bizproc.robot.update", "bizproc.robot.delete", "bizproc.robot.list"]) {
      const r = await callMethod(ctx, m, robot("w"));
      expect(r.ok ? null : [r.error.status, r.error.code, r.error.description], m).toEqual([403, "ACCESS_DENIED", "Access denied! Application context required"]);
    }
  });
});

describe("a robot run (runRobot) POSTs the documented form to HANDLER", () => {
  beforeAll(async () => {
    await deleteAll();
    await add(robot("calc", {
      AUTH_USER_ID: 1,
      PROPERTIES: { title: { Name: "Title", Required: "Y" }, count: { Name: "Count", Type: "int" }, flag: { Name: "Flag", Type: "bool" }, kind: { Name: "Kind", Type: "select", Options: { a: "A" }, Default: "a" }, tags: { Name: "Tags", Multiple: "Y" } },
      RETURN_PROPERTIES: { total: { Name: "Total", Type: "double" }, note: { Name: "Note" } },
    }));
  });

  it("sends workflow_id, code, document_id[], document_type[], event_token, properties[], use_subscription, timeout_duration, ts, auth[]", async () => {
    const before = app.received.length;
    const ts0 = Math.floor(Date.now() / 1000) - 1;
    const res = await emu.control.runRobot(memberId, { code: "calc", documentId: 3, properties: { title: "Invoice", count: 2, flag: true, tags: ["x", "y"] } });
    expect(app.received.length).toBe(before + 1);
    const got = lastReceived();
    expect(got.path).toBe("/api/b24/robots");
    expect(got.contentType).toBe("application/x-www-form-urlencoded");
    expect(got.raw).toContain("document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_3");
    const p = got.params as {
      workflow_id: string; code: string; document_id: string[]; document_type: string[]; event_token: string;
      properties: Record<string, unknown>; use_subscription: string; timeout_duration: string; ts: string; auth: Record<string, string>;
    };
    expect(Object.keys(p)).toEqual(["workflow_id", "code", "document_id", "document_type", "event_token", "properties", "use_subscription", "timeout_duration", "ts", "auth"]);
    expect(p.workflow_id).toMatch(/^[0-9a-f]{13}\d\.\d{8}$/);
    expect(p.code).toBe("calc");
    expect(p.document_id).toEqual(["crm", "CCrmDocumentDeal", "DEAL_3"]);
    expect(p.document_type).toEqual(["crm", "CCrmDocumentDeal", "DEAL"]);
    expect(p.event_token).toMatch(/^[0-9a-f]{13}\d\.\d{8}\|A\d{5}_\d{5}_\d{5}_\d{5}\|[A-Za-z0-9]{32}\.[0-9a-f]{64}$/);
    expect(p.event_token.startsWith(`${p.workflow_id}|`)).toBe(true);
    expect(p.properties).toEqual({ title: "Invoice", count: "2", flag: "Y", kind: "a", tags: ["x", "y"] });
    expect([p.use_subscription, p.timeout_duration]).toEqual(["Y", "0"]);
    expect(Number(p.ts)).toBeGreaterThanOrEqual(ts0);
    const portal = await emu.control.portal(memberId);
    expect(Object.keys(p.auth).sort()).toEqual([
      "access_token", "application_token", "client_endpoint", "domain", "expires", "expires_in", "member_id", "refresh_token",
      "scope", "server_endpoint", "status", "user_id",
    ]);
    expect(p.auth).toMatchObject({
      application_token: portal.applicationToken, member_id: memberId, domain: emu.portals[0]!.host, client_endpoint: `${url}/rest/`,
      server_endpoint: `${emu.oauthUrl}/rest/`, scope: SCOPE, status: "L", user_id: "1", expires_in: "3600",
    });
    // The tokens are live and belong to the run-as user.
    expect((await rest(url, "profile", p.auth.access_token ?? null)).body.result.ID).toBe("1");
    expect(res).toMatchObject({ eventToken: p.event_token, workflowId: p.workflow_id, delivery: { status: 200, ok: true, event: "robot:calc", handler: H } });
    expect(res.delivery!.body).toBe(got.raw);
    const runs = await emu.control.robotRuns(memberId);
    expect(runs[runs.length - 1]).toMatchObject({
      code: "calc", eventToken: p.event_token, dealId: 3, documentId: ["crm", "CCrmDocumentDeal", "DEAL_3"], status: "waiting",
      properties: { title: "Invoice", count: "2", flag: "Y", kind: "a", tags: ["x", "y"] }, userId: 1, useSubscription: "Y",
    });
    expect(runs[runs.length - 1]!.sentAt).toBeUndefined();
  });

  it("each run gets a fresh event_token and workflow_id", async () => {
    const a = await emu.control.runRobot(memberId, { code: "calc", documentId: 1, properties: { title: "a" } });
    const b = await emu.control.runRobot(memberId, { code: "calc", documentId: 1, properties: { title: "a" } });
    expect(a.eventToken).not.toBe(b.eventToken);
    expect(a.workflowId).not.toBe(b.workflowId);
  });

  it("runs as the given user, else AUTH_USER_ID; with neither, auth carries no tokens", async () => {
    await emu.control.runRobot(memberId, { code: "calc", documentId: 1, properties: { title: "a" }, userId: 2 });
    expect(lastReceived().params.auth).toMatchObject({ user_id: "2" });
    await add(robot("nouser"));
    await emu.control.runRobot(memberId, { code: "nouser", documentId: 1 });
    const auth = lastReceived().params.auth as Record<string, string>;
    expect(Object.keys(auth).sort()).toEqual(["application_token", "client_endpoint", "domain", "member_id", "server_endpoint"]);
    expect(lastReceived().params.properties).toBeUndefined();
  });

  it("refuses what a portal could not run: unknown robot or deal, undeclared or missing required properties, FILTER", async () => {
    await expect(emu.control.runRobot(memberId, { code: "ghost", documentId: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(emu.control.runRobot(memberId, { code: "calc", documentId: 999, properties: { title: "a" } })).rejects.toMatchObject({ status: 404 });
    await expect(emu.control.runRobot(memberId, { code: "calc", documentId: 1, properties: { title: "a", nope: 1 } })).rejects.toMatchObject({ status: 400 });
    await expect(emu.control.runRobot(memberId, { code: "calc", documentId: 1, properties: {} })).rejects.toMatchObject({ status: 400 });
    await add(robot("leadsOnly", { FILTER: { INCLUDE: [["crm", "CCrmDocumentLead"]] } }));
    await add(robot("noBox", { FILTER: { EXCLUDE: ["box"] } }));
    await expect(emu.control.runRobot(memberId, { code: "leadsOnly", documentId: 1 })).rejects.toMatchObject({ status: 409 });
    expect((await emu.control.runRobot(memberId, { code: "noBox", documentId: 1 })).delivery?.status).toBe(200);
  });

  it("works over the HTTP control API (EmulatorControlClient)", async () => {
    const client = new EmulatorControlClient(emu.oauthUrl);
    const r = await client.runRobot(memberId, { code: "calc", documentId: 2, properties: { title: "http" } });
    expect(r.delivery?.status).toBe(200);
    const runs = await client.robotRuns(memberId);
    expect(runs.find((x) => x.eventToken === r.eventToken)).toMatchObject({ code: "calc", dealId: 2, status: "waiting" });
    expect((await client.robots(memberId)).map((x) => x.code)).toContain("calc");
    await expect(client.runRobot(memberId, { code: "ghost", documentId: 1 })).rejects.toThrow(/404/);
  });
});

describe("bizproc.event.send", () => {
  let token: string;
  beforeEach(async () => {
    if (!(await emu.control.robots(memberId)).some((r) => r.code === "ans")) {
      await add(robot("ans", { AUTH_USER_ID: 2, RETURN_PROPERTIES: { total: { Name: "Total" }, Note: { Name: "Note" } } }));
    }
    token = (await emu.control.runRobot(memberId, { code: "ans", documentId: 1 })).eventToken!;
  });
  const runOf = async (t: string) => (await emu.control.robotRuns(memberId)).find((r) => r.eventToken === t)!;

  it("is accepted once, records the accepted RETURN_VALUES and LOG_MESSAGE and finishes the run; a second send is 403", async () => {
    const before = Date.now() - 1;
    const r = await call("bizproc.event.send", { EVENT_TOKEN: token, RETURN_VALUES: { TOTAL: "42.5", note: "ok", extra: "dropped" }, LOG_MESSAGE: "done" }, user.access_token);
    expect([r.status, r.body.result]).toEqual([200, true]);
    const run = await runOf(token);
    expect(run).toMatchObject({ status: "done", returnValues: { total: "42.5", Note: "ok" }, logMessage: "done" });
    expect(run.sentAt).toBeGreaterThanOrEqual(before);
    expect(err(await call("bizproc.event.send", { EVENT_TOKEN: token, RETURN_VALUES: { total: "1" } }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    expect((await runOf(token)).returnValues).toEqual({ total: "42.5", Note: "ok" });
  });

  it("takes lower-case parameter names (as the PHP SDK sends them) and defaults LOG_MESSAGE to \"\"", async () => {
    const r = await call("bizproc.event.send", { event_token: token, return_values: { total: 7 } });
    expect(r.body.result).toBe(true);
    expect(await runOf(token)).toMatchObject({ status: "done", returnValues: { total: 7 }, logMessage: "" });
  });

  it("refuses unknown, forged, missing and foreign tokens with 403 ACCESS_DENIED", async () => {
    const forged = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    const otherWorkflow = `0${token.slice(1)}`;
    // Correctly signed, but no such waiting step.
    const unknown = signToken("55c1dc1c3f0d75.78875596", "A51601_82584_96831_81132", "hsyUws1j4XiwqPqN45eH66CcQtEvpUIP");
    for (const bad of [forged, otherWorkflow, unknown, "garbage", "", undefined]) {
      expect(err(await call("bizproc.event.send", { EVENT_TOKEN: bad })), String(bad)).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    }
    const other = await signIn(emu, 1, 1);
    expect(err(await rest(emu.portals[1]!.url, "bizproc.event.send", other.access_token, { EVENT_TOKEN: token }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    expect((await runOf(token)).status).toBe("waiting");
  });

  it("an expired token (timeout_duration passed) is 403 and the run is done with timedOut", async () => {
    const r = await emu.control.runRobot(memberId, { code: "ans", documentId: 1, timeoutDuration: 60 });
    expect(lastReceived().params.timeout_duration).toBe("60");
    await emu.control.clock({ advanceSec: 61 });
    expect(err(await call("bizproc.event.send", { EVENT_TOKEN: r.eventToken }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    expect(await runOf(r.eventToken!)).toMatchObject({ status: "done", timedOut: true });
    expect((await runOf(r.eventToken!)).sentAt).toBeUndefined();
  });

  it("a robot with USE_SUBSCRIPTION=N does not wait: the run is done at once and its token is refused", async () => {
    await add(robot("fire", { USE_SUBSCRIPTION: "N" }));
    const r = await emu.control.runRobot(memberId, { code: "fire", documentId: 1 });
    expect(lastReceived().params.use_subscription).toBe("N");
    expect((await runOf(r.eventToken!)).status).toBe("done");
    expect(err(await call("bizproc.event.send", { EVENT_TOKEN: r.eventToken }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
  });

  it("bizproc.activity.log writes to the run's log without finishing it", async () => {
    expect(err(await call("bizproc.activity.log", { EVENT_TOKEN: token }))).toEqual([400, "ERROR_EMPTY_LOG_MESSAGE", "Empty log message!"]);
    expect(err(await call("bizproc.activity.log", { EVENT_TOKEN: "x", LOG_MESSAGE: "m" }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
    expect((await call("bizproc.activity.log", { EVENT_TOKEN: token, LOG_MESSAGE: "step 1" })).body.result).toBe(true);
    expect(await runOf(token)).toMatchObject({ status: "waiting", log: ["step 1"] });
    expect((await call("bizproc.event.send", { EVENT_TOKEN: token })).body.result).toBe(true);
    expect(err(await call("bizproc.activity.log", { EVENT_TOKEN: token, LOG_MESSAGE: "late" }))).toEqual([403, "ACCESS_DENIED", "Access denied!"]);
  });
});

describe("gates and lifecycle", () => {
  let e: Emulator;
  let r: Receiver;
  let mid: string;
  let purl: string;
  const token = async () => (await signIn(e, 0, 1)).access_token;
  beforeAll(async () => {
    r = await startReceiver();
    e = await start({ app: { ...APP, appUrl: r.url, scope: SCOPE }, portals: [{ deals: 2 }] });
    mid = e.portals[0]!.memberId;
    purl = e.portals[0]!.url;
  });
  afterAll(async () => {
    await e.stop();
    await r.stop();
  });
  const register = async () => rest(purl, "bizproc.robot.add", await token(), { CODE: "g", HANDLER: `${r.url}/robot`, NAME: "G" });

  it("no run while payment is required; runs again after payment", async () => {
    expect((await register()).body.result).toBe(true);
    await e.control.setPortalState(mid, { paymentRequired: true });
    const before = r.received.length;
    expect(await e.control.runRobot(mid, { code: "g", documentId: 1 })).toEqual({ delivery: null, eventToken: null, workflowId: null, skipped: "payment-required" });
    await e.control.setPortalState(mid, { paymentRequired: false });
    expect(r.received.length).toBe(before);
    expect((await e.control.runRobot(mid, { code: "g", documentId: 1 })).delivery?.status).toBe(200);
    expect(r.received.length).toBe(before + 1);
  });

  it("an update removes the robots and, until installFinish, nothing runs", async () => {
    await e.control.update(mid);
    expect((await e.control.runRobot(mid, { code: "g", documentId: 1 })).skipped).toBe("install-not-finished");
    await e.control.finishInstall(mid);
    expect((await rest(purl, "bizproc.robot.list", await token())).body.result).toEqual([]);
    await expect(e.control.runRobot(mid, { code: "g", documentId: 1 })).rejects.toMatchObject({ status: 404 });
    expect((await register()).body.result).toBe(true);
  });

  it("an uninstall removes the robots; a reinstalled app starts with none, and runs stay as history", async () => {
    const t = (await e.control.runRobot(mid, { code: "g", documentId: 2 })).eventToken;
    await e.control.uninstall(mid);
    expect((await e.control.runRobot(mid, { code: "g", documentId: 1 })).skipped).toBe("not-installed");
    expect(await e.control.robots(mid)).toEqual([]);
    expect((await e.control.robotRuns(mid)).some((x) => x.eventToken === t)).toBe(true);
    await e.control.install(mid);
    expect((await e.control.runRobot(mid, { code: "g", documentId: 1 })).skipped).toBe("install-not-finished");
    await e.control.finishInstall(mid);
    expect((await rest(purl, "bizproc.robot.list", await token())).body.result).toEqual([]);
  });
});
