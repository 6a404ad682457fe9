import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, PortalSeed } from "../index";
import { authorize, exchange, rest, signIn, start, startReceiver, type Tokens } from "./helpers";

/**
 * Offline events as core runs them (https://apidocs.bitrix24.com/api-reference/events/offline-events.html, core
 * Bitrix\Rest\Api\Event and EventOfflineTable). Changes "made in the portal" come from the control's `events`
 * (a user's action); the app's own REST writes are the auth_connector cases. The clock is frozen, so TIMESTAMP_X
 * and ONOFFLINEEVENT's minTimeout move only when a test advances it.
 */
let emu: Emulator;
let admin: Tokens;
let url: string;
let app: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  app = await startReceiver();
  emu = await start({ portals: [{ deals: 3 }] });
  url = emu.portals[0]!.url;
  admin = await signIn(emu);
  await emu.control.clock({ freeze: true });
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

type Row = Record<string, unknown> & { ID: string; MESSAGE_ID: string; EVENT_DATA: { FIELDS: { ID: number } } };
const idsOf = (rows: Row[]) => rows.map((r) => r.EVENT_DATA.FIELDS.ID);
const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const UPDATE = "ONCRMDEALUPDATE";

/** A new portal with the app installed; `call` runs REST as its admin (user 1) unless a token is given. */
async function portal(seed: PortalSeed = {}) {
  const p = await emu.control.addPortal({ deals: 3, ...seed });
  const token = async (user: number) => (await exchange(emu.oauthUrl, (await authorize(p.url, user)).get("code")!)).body.access_token as string;
  const adminToken = await token(1);
  const userToken = await token(2);
  const call = async (method: string, params: Record<string, unknown> = {}, as = adminToken) => rest(p.url, method, as, params);
  /** A user changes deal `id` in the portal (not through the app). */
  const change = async (id: number) => (await emu.control.events(p.memberId, { event: UPDATE, data: { FIELDS: { ID: id } }, userId: 1 })).deliveries;
  const get = async (params: Record<string, unknown> = {}) => (await call("event.offline.get", params)).body.result as { process_id: string | null; events: Row[] };
  const list = async (params: Record<string, unknown> = {}) => (await call("event.offline.list", params)).body as { result: Row[]; total: number; next?: number };
  await call("event.bind", { event: UPDATE, event_type: "offline" });
  return { ...p, userToken, call, change, get, list, queue: () => emu.control.offlineQueue(p.memberId) };
}

const isoAt = (sec: number) => new Date(Math.floor(sec) * 1000).toISOString().replace(".000Z", "+00:00");

describe("event.get / event.unbind", () => {
  it("lists and removes handlers", async () => {
    const h = { event: "ONCRMDEALDELETE", handler: `${app.url}/del` };
    await rest(url, "event.bind", admin.access_token, h);
    expect((await rest(url, "event.get", admin.access_token)).body.result).toContainEqual({ event: "ONCRMDEALDELETE", handler: h.handler, auth_type: "0", offline: 0 });
    expect((await rest(url, "event.unbind", admin.access_token, h)).body.result).toEqual({ count: 1 });
    expect((await rest(url, "event.unbind", admin.access_token, h)).body.result).toEqual({ count: 0 });
  });

  it("ONOFFLINEEVENT cannot be bound offline", async () => {
    const res = await rest(url, "event.bind", admin.access_token, { event: "ONOFFLINEEVENT", event_type: "offline" });
    expect([res.status, res.body]).toEqual([400, { error: "ERROR_ARGUMENT", error_description: "Offline event cannot be registered for this event." }]);
  });
});

describe("offline events", () => {
  it("one row per object: MESSAGE_ID = md5(EVENT_NAME|json(EVENT_DATA)), a new change refreshes its TIMESTAMP_X", async () => {
    const p = await portal();
    const t0 = (await emu.control.clock()).now;
    await p.change(1);
    await p.change(2);
    await emu.control.clock({ advanceSec: 5 });
    await p.change(1);
    const { result, total } = await p.list();
    expect(total).toBe(2);
    expect(result[0]).toMatchObject({ ID: "1", MESSAGE_ID: md5(`${UPDATE}|{"FIELDS":{"ID":1}}`), TIMESTAMP_X: isoAt(t0 + 5) });
    expect(result[1]).toMatchObject({ ID: "2", MESSAGE_ID: md5(`${UPDATE}|{"FIELDS":{"ID":2}}`), TIMESTAMP_X: isoAt(t0) });
    // TIMESTAMP_X ASC: deal 1 changed last.
    const got = await p.get();
    expect(got.process_id).toBeNull();
    expect(idsOf(got.events)).toEqual([2, 1]);
    expect(got.events[1]).toEqual({ ID: "1", TIMESTAMP_X: isoAt(t0 + 5), EVENT_NAME: UPDATE, EVENT_DATA: { FIELDS: { ID: 1 } }, EVENT_ADDITIONAL: { user_id: "1" }, MESSAGE_ID: result[0]!.MESSAGE_ID });
    expect(await p.queue()).toEqual([]);
  });

  it("a change after the row was reserved makes a new row with the same MESSAGE_ID; a process_id re-reads its own batch", async () => {
    const p = await portal();
    await p.change(1);
    const first = await p.get({ clear: 0 });
    expect(first.process_id).toMatch(/^[0-9a-z]{32}$/);
    await p.change(1);
    const rows = (await p.list()).result;
    expect(rows.map((r) => [r.ID, r.MESSAGE_ID, r.PROCESS_ID])).toEqual([["1", first.events[0]!.MESSAGE_ID, first.process_id], ["2", first.events[0]!.MESSAGE_ID, ""]]);
    expect(await p.get({ process_id: first.process_id, clear: 0 })).toEqual(first);
    const second = await p.get({ clear: 0 });
    expect(second.process_id).not.toBe(first.process_id);
    expect(second.events.map((e) => e.ID)).toEqual(["2"]);
    // clear=1 with a process_id hands the batch out once more and deletes it.
    expect(await p.get({ process_id: first.process_id })).toEqual(first);
    expect((await p.queue()).map((o) => [o.id, o.processId])).toEqual([[2, second.process_id]]);
    expect((await p.call("event.offline.clear", { process_id: second.process_id })).body.result).toBe(true);
    expect(await p.queue()).toEqual([]);
  });

  it("event.offline.error releases the rows as ERROR=1, which only error=1 returns", async () => {
    const p = await portal();
    await p.change(1);
    await p.change(2);
    const batch = await p.get({ clear: 0 });
    const [m1, m2] = batch.events.map((e) => e.MESSAGE_ID);
    expect((await p.call("event.offline.error", { process_id: batch.process_id, message_id: [m1] })).body.result).toBe(true);
    expect((await p.list()).result.map((r) => [r.MESSAGE_ID, r.PROCESS_ID, r.ERROR])).toEqual([[m1, "", "1"], [m2, batch.process_id, "0"]]);
    expect((await p.get({ clear: 0 })).events).toEqual([]);
    expect((await p.get({ error: 1 })).events.map((e) => e.MESSAGE_ID)).toEqual([m1]);
    const missing = await p.call("event.offline.error", { process_id: batch.process_id });
    expect([missing.status, missing.body]).toEqual([400, { error: "ERROR_ARGUMENT", error_description: "Value must be array of MESSAGE_ID values", argument: "message_id" }]);
  });

  it("event.offline.clear removes a batch's rows by message_id or id; a message_id that is not 32 characters is ERROR_ARGUMENT", async () => {
    const p = await portal();
    for (const id of [1, 2, 3]) await p.change(id);
    const batch = await p.get({ clear: 0 });
    const [r1, r2, r3] = batch.events;
    expect((await p.call("event.offline.clear", { process_id: batch.process_id, message_id: [r1!.MESSAGE_ID] })).body.result).toBe(true);
    expect((await p.queue()).map((o) => o.messageId)).toEqual([r2!.MESSAGE_ID, r3!.MESSAGE_ID]);
    const short = await p.call("event.offline.clear", { process_id: batch.process_id, message_id: ["abc"] });
    // "messsage_id" (sic) is core's name for it.
    expect([short.status, short.body]).toEqual([400, { error: "ERROR_ARGUMENT", error_description: "Value must be array of MESSAGE_ID values", argument: "messsage_id" }]);
    const noProcess = await p.call("event.offline.clear", { message_id: [r2!.MESSAGE_ID] });
    expect(noProcess.body).toEqual({ error: "ERROR_ARGUMENT", error_description: "Argument 'PROCESS_ID' is null or empty", argument: "PROCESS_ID" });
    await p.call("event.offline.clear", { process_id: batch.process_id, id: [Number(r2!.ID)] });
    expect((await p.queue()).map((o) => o.messageId)).toEqual([r3!.MESSAGE_ID]);
  });

  it("event.offline.list shows every row, reserved ones with PROCESS_ID, 50 a page with total and next, and reserves nothing", async () => {
    const p = await portal();
    for (let id = 1; id <= 55; id++) await p.change(id);
    const reserved = await p.get({ clear: 0, limit: 1 });
    const page1 = await p.list();
    expect([page1.result.length, page1.total, page1.next]).toEqual([50, 55, 50]);
    expect(page1.result[0]).toMatchObject({ ID: "1", PROCESS_ID: reserved.process_id, ERROR: "0" });
    expect(page1.result.slice(1).every((r) => r.PROCESS_ID === "")).toBe(true);
    const page2 = await p.list({ start: 50 });
    expect([page2.result.length, page2.total, page2.next]).toEqual([5, 55, undefined]);
    expect((await p.queue()).filter((o) => o.processId !== "")).toHaveLength(1);
    expect((await p.list({ filter: { PROCESS_ID: reserved.process_id } })).total).toBe(1);
  });

  it("filters and orders like core: exact MESSAGE_ID, no `!`, no unknown field, no array value, a positive limit", async () => {
    const p = await portal();
    for (const id of [1, 2, 3]) await p.change(id);
    const m2 = md5(`${UPDATE}|{"FIELDS":{"ID":2}}`);
    expect(idsOf((await p.list({ order: { ID: "DESC" } })).result)).toEqual([3, 2, 1]);
    const fail = async (params: Record<string, unknown>) => (await p.call("event.offline.get", params)).body;
    expect(await fail({ filter: { "!ID": 1 } })).toEqual({ error: "ERROR_ARGUMENT", error_description: "Filter operation not allowed: !" });
    expect(await fail({ filter: { PROCESS_ID: "" } })).toEqual({ error: "ERROR_ARGUMENT", error_description: "Filter field not allowed: PROCESS_ID" });
    expect(await fail({ filter: { "=ID": [1, 2] } })).toEqual({ error: "ERROR_ARGUMENT", error_description: "The value of an argument '=ID' has an invalid type", argument: "=ID" });
    expect(await fail({ limit: 0 })).toEqual({ error: "ERROR_ARGUMENT", error_description: "Value must be positive integer", argument: "LIMIT" });
    expect(await fail({ order: { ID: "UP" } })).toEqual({ error: "ERROR_ARGUMENT", error_description: "Order direction should be one of {ASC|DESC}" });
    expect(idsOf((await p.get({ filter: { "=MESSAGE_ID": m2 } })).events)).toEqual([2]);
    expect(idsOf((await p.get({ filter: { ">ID": 1 }, order: { ID: "DESC" } })).events)).toEqual([3]);
  });

  it("every event.offline.* is for administrators: 403 ACCESS_DENIED \"Access denied!\"", async () => {
    const p = await portal();
    for (const method of ["event.offline.get", "event.offline.list", "event.offline.clear", "event.offline.error"]) {
      const res = await p.call(method, { process_id: "x", message_id: [] }, p.userToken);
      expect([res.status, res.body], method).toEqual([403, { error: "ACCESS_DENIED", error_description: "Access denied!" }]);
    }
  });

  it("without the rest_offline_extended feature clear=0 is 403 WRONG_LICENSE, clear=1 still works, and feature.get says N", async () => {
    const p = await portal({ offlineExtended: false });
    expect((await p.call("feature.get", { CODE: "rest_offline_extended" })).body.result).toEqual({ value: "N" });
    expect((await rest(url, "feature.get", admin.access_token, { CODE: "rest_offline_extended" })).body.result).toEqual({ value: "Y" });
    await p.change(1);
    const res = await p.call("event.offline.get", { clear: 0 });
    expect([res.status, res.body]).toEqual([403, { error: "WRONG_LICENSE", error_description: "This feature is not enabled for the current license: extended offline events handling" }]);
    expect(idsOf((await p.get()).events)).toEqual([1]);
  });

  it("auth_connector partitions the queue; the app's own write is not queued back to the connector it came through", async () => {
    const p = await portal();
    expect((await p.call("event.bind", { event: UPDATE, event_type: "offline", auth_connector: "sync" })).body.result).toBe(true);
    expect((await p.call("event.get")).body.result).toEqual(expect.arrayContaining([
      { event: UPDATE, connector_id: "", offline: 1 },
      { event: UPDATE, connector_id: "sync", offline: 1 },
    ]));
    await p.call("crm.deal.update", { id: 1, fields: { TITLE: "by the sync" }, auth_connector: "sync" });
    await p.call("crm.deal.update", { id: 2, fields: { TITLE: "by the app" } });
    await p.change(3);
    expect((await p.queue()).map((o) => [o.data, o.connector])).toEqual([
      [{ FIELDS: { ID: 1 } }, ""],
      [{ FIELDS: { ID: 2 } }, "sync"],
      [{ FIELDS: { ID: 3 } }, ""],
      [{ FIELDS: { ID: 3 } }, "sync"],
    ]);
    expect(idsOf((await p.list({ auth_connector: "sync" })).result)).toEqual([2, 3]);
    expect(idsOf((await p.get({ auth_connector: "sync" })).events)).toEqual([2, 3]);
    expect(idsOf((await p.get()).events)).toEqual([1, 3]);
  });

  it("ONOFFLINEEVENT is a signal without data, throttled per binding by options[minTimeout] (0 = once per request)", async () => {
    const p = await portal();
    const signals = (deliveries: Awaited<ReturnType<typeof p.change>>) => deliveries.filter((d) => d.event === "ONOFFLINEEVENT").map((d) => new URL(d.handler).pathname);
    await p.call("event.bind", { event: "ONOFFLINEEVENT", handler: `${app.url}/ten`, options: { minTimeout: 10 } });
    const [first] = (await p.change(1)).filter((d) => d.event === "ONOFFLINEEVENT");
    const body = new URLSearchParams(first!.body);
    expect([body.get("event"), body.has("data"), !!body.get("auth[refresh_token]")]).toEqual(["ONOFFLINEEVENT", false, true]);
    expect(signals(await p.change(2))).toEqual([]);
    await emu.control.clock({ advanceSec: 10 });
    expect(signals(await p.change(3))).toEqual(["/ten"]);
    await p.call("event.unbind", { event: "ONOFFLINEEVENT", handler: `${app.url}/ten` });
    await p.call("event.bind", { event: "ONOFFLINEEVENT", handler: `${app.url}/zero`, options: { minTimeout: 0 } });
    await p.call("event.bind", { event: "ONOFFLINEEVENT", handler: `${app.url}/default` });
    expect(signals(await p.change(4))).toEqual(["/zero", "/default"]);
    expect(signals(await p.change(5))).toEqual(["/zero"]);
    // An event without an offline binding queues nothing, so no signal.
    expect(signals(await emu.control.events(p.memberId, { event: "ONCRMDEALADD", data: { FIELDS: { ID: 9 } }, userId: 1 }).then((r) => r.deliveries))).toEqual([]);
  });
});
