import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { rest, signIn, start, startReceiver, until, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let url: string;
let app: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  app = await startReceiver();
  emu = await start({ portals: [{ deals: 3 }] });
  url = emu.portals[0]!.url;
  admin = await signIn(emu);
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

describe("event.get / event.unbind", () => {
  it("lists and removes handlers", async () => {
    const h = { event: "ONCRMDEALDELETE", handler: `${app.url}/del` };
    await rest(url, "event.bind", admin.access_token, h);
    expect((await rest(url, "event.get", admin.access_token)).body.result).toContainEqual({ event: "ONCRMDEALDELETE", handler: h.handler, auth_type: "0", offline: 0 });
    expect((await rest(url, "event.unbind", admin.access_token, h)).body.result).toEqual({ count: 1 });
    expect((await rest(url, "event.unbind", admin.access_token, h)).body.result).toEqual({ count: 0 });
  });
});

describe("offline events (https://apidocs.bitrix24.com/api-reference/events/offline-events.html)", () => {
  it("queues one record per object and hands it out with clear=1", async () => {
    expect((await rest(url, "event.bind", admin.access_token, { event: "ONCRMDEALUPDATE", event_type: "offline" })).body.result).toBe(true);
    await rest(url, "event.bind", admin.access_token, { event: "ONOFFLINEEVENT", handler: `${app.url}/offline` });
    for (let i = 0; i < 3; i++) await rest(url, "crm.deal.update", admin.access_token, { id: 1, fields: { TITLE: `v${i}` } });
    await rest(url, "crm.deal.update", admin.access_token, { id: 2, fields: { TITLE: "x" } });
    await until(() => (emu.portals.length && app.received.find((r) => r.path === "/offline")) || undefined);
    const notify = app.received.find((r) => r.path === "/offline")!;
    expect((notify.params.auth as Record<string, string>).refresh_token).toBeTruthy();
    const list = await rest(url, "event.offline.list", admin.access_token);
    expect(list.body.result).toHaveLength(2);
    const got = await rest(url, "event.offline.get", admin.access_token);
    expect(got.body.result.process_id).toBeNull();
    expect(got.body.result.events.map((e: { EVENT_NAME: string; EVENT_DATA: { FIELDS: { ID: number } } }) => [e.EVENT_NAME, e.EVENT_DATA.FIELDS.ID])).toEqual([
      ["ONCRMDEALUPDATE", 1],
      ["ONCRMDEALUPDATE", 2],
    ]);
    expect((await rest(url, "event.offline.get", admin.access_token)).body.result.events).toEqual([]);
  });

  it("reserves under a process_id with clear=0 until event.offline.clear", async () => {
    await rest(url, "crm.deal.update", admin.access_token, { id: 3, fields: { TITLE: "y" } });
    const got = await rest(url, "event.offline.get", admin.access_token, { clear: 0 });
    const processId = got.body.result.process_id as string;
    expect(processId).toMatch(/^[0-9a-f]{32}$/);
    expect(got.body.result.events).toHaveLength(1);
    expect((await rest(url, "event.offline.get", admin.access_token, { clear: 0 })).body.result.events).toEqual([]);
    expect((await emu.control.portal(emu.portals[0]!.memberId)).offlineEvents).toBe(1);
    expect((await rest(url, "event.offline.clear", admin.access_token, { process_id: processId })).body.result).toBe(true);
    expect((await emu.control.portal(emu.portals[0]!.memberId)).offlineEvents).toBe(0);
  });
});
