import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControlClient } from "../control-client";
import type { Emulator } from "../index";
import { rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let maria: Tokens;
let url: string;
let memberId: string;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 60, contacts: 3 }] });
  url = emu.portals[0]!.url;
  memberId = emu.portals[0]!.memberId;
  admin = await signIn(emu, 0, 1);
  maria = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

const comment = (token: string, fields: Record<string, unknown>) => rest(url, "crm.timeline.comment.add", token, { fields });

describe("crm.timeline.comment.*", () => {
  it("add returns the new id; get, list and the timeline control show it", async () => {
    const res = await comment(maria.access_token, { ENTITY_ID: 5, ENTITY_TYPE: "deal", COMMENT: "Called the client" });
    expect(res.status).toBe(200);
    expect(typeof res.body.result).toBe("number");
    const id = res.body.result as number;
    const got = await rest(url, "crm.timeline.comment.get", admin.access_token, { id });
    expect(got.body.result).toEqual({ ID: String(id), ENTITY_ID: "5", ENTITY_TYPE: "deal", CREATED: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), COMMENT: "Called the client", AUTHOR_ID: "2", FILES: {} });
    await comment(admin.access_token, { ENTITY_ID: "5", ENTITY_TYPE: "deal", COMMENT: "Second", AUTHOR_ID: 2 });
    const list = await rest(url, "crm.timeline.comment.list", admin.access_token, { filter: { ENTITY_ID: 5, ENTITY_TYPE: "deal" }, select: ["ID", "COMMENT", "AUTHOR_ID"] });
    expect(list.body.total).toBe(2);
    expect(list.body.result.map((r: { COMMENT: string; AUTHOR_ID: string }) => [r.COMMENT, r.AUTHOR_ID])).toEqual([["Called the client", "2"], ["Second", "2"]]);
    expect(Object.keys(list.body.result[0])).toEqual(["ID", "COMMENT", "AUTHOR_ID"]);
    const timeline = await emu.control.timeline(memberId, "deal", 5);
    expect(timeline.map((t) => t.COMMENT)).toEqual(["Called the client", "Second"]);
    const overHttp = await new EmulatorControlClient(emu.oauthUrl).timeline(memberId, "deal", 5);
    expect(overHttp).toEqual(timeline);
    expect(await emu.control.timeline(memberId, "deal", 6)).toEqual([]);
  });

  it("comments on contacts are kept apart from deals", async () => {
    await comment(admin.access_token, { ENTITY_ID: 1, ENTITY_TYPE: "contact", COMMENT: "hi" });
    expect((await emu.control.timeline(memberId, "contact", 1)).map((t) => t.COMMENT)).toEqual(["hi"]);
    expect((await emu.control.timeline(memberId, "deal", 1))).toEqual([]);
  });

  it("add validates fields, owner and text with the documented codes (400)", async () => {
    const cases: Array<[unknown, string]> = [
      [undefined, "100"],
      [{ ENTITY_TYPE: "deal", COMMENT: "x" }, "100"],
      [{ ENTITY_ID: 9999, ENTITY_TYPE: "deal", COMMENT: "x" }, "NOT_FOUND"],
      [{ ENTITY_ID: 1, ENTITY_TYPE: "spaceship", COMMENT: "x" }, "OWNER_NOT_FOUND"],
      [{ ENTITY_ID: 1, ENTITY_TYPE: "deal", COMMENT: "  " }, "INVALID_ARG_VALUE"],
    ];
    for (const [fields, code] of cases) {
      const r = await rest(url, "crm.timeline.comment.add", admin.access_token, fields === undefined ? {} : { fields });
      expect([r.status, r.body.error], JSON.stringify(fields)).toEqual([400, code]);
    }
    // Only the lower-case `fields` key counts (crm 23.100.0).
    expect((await rest(url, "crm.timeline.comment.add", admin.access_token, { FIELDS: { ENTITY_ID: 1, ENTITY_TYPE: "deal", COMMENT: "x" } })).body.error).toBe("100");
  });

  it("get errors have an empty code", async () => {
    expect((await rest(url, "crm.timeline.comment.get", admin.access_token, { id: 0 })).body).toEqual({ error: "", error_description: "ID is not defined or invalid." });
    expect((await rest(url, "crm.timeline.comment.get", admin.access_token, { id: 99999 })).body).toEqual({ error: "", error_description: "Not found." });
  });

  it("fields describes the documented fields", async () => {
    const f = (await rest(url, "crm.timeline.comment.fields", admin.access_token)).body.result;
    expect(Object.keys(f)).toEqual(["ID", "CREATED", "ENTITY_ID", "ENTITY_TYPE", "AUTHOR_ID", "COMMENT", "FILES"]);
    expect(f.ENTITY_ID).toMatchObject({ type: "integer", isRequired: true, isImmutable: true });
  });
});

describe("deal read access", () => {
  it("a closed deal of user 1 is hidden from user 2 in get, list, update, delete and timeline", async () => {
    const before = (await rest(url, "crm.deal.list", maria.access_token, { select: ["ID"] })).body.total;
    expect(before).toBe(60);
    const access = await emu.control.setDealAccess(memberId, 7, { private: true, assignedById: 1 });
    expect(access).toEqual({ id: 7, opened: false, assignedById: 1 });
    const get = await rest(url, "crm.deal.get", maria.access_token, { id: 7 });
    expect([get.status, get.body]).toEqual([400, { error: "", error_description: "Access denied" }]);
    const list = await rest(url, "crm.deal.list", maria.access_token, { select: ["ID"], filter: { "<=ID": 10 } });
    expect(list.body.result.map((d: { ID: string }) => d.ID)).not.toContain("7");
    expect((await rest(url, "crm.deal.list", maria.access_token, { select: ["ID"] })).body.total).toBe(59);
    expect((await rest(url, "crm.deal.update", maria.access_token, { id: 7, fields: { TITLE: "x" } })).body.error_description).toBe("Access denied");
    expect((await rest(url, "crm.deal.delete", maria.access_token, { id: 7 })).body.error_description).toBe("Access denied");
    const c = await comment(maria.access_token, { ENTITY_ID: 7, ENTITY_TYPE: "deal", COMMENT: "sneaky" });
    expect([c.status, c.body]).toEqual([400, { error: "ACCESS_DENIED", error_description: "Access denied." }]);
    expect(await emu.control.timeline(memberId, "deal", 7)).toEqual([]);
    // The admin and the responsible user still read it.
    expect((await rest(url, "crm.deal.get", admin.access_token, { id: 7 })).body.result.OPENED).toBe("N");
    expect((await rest(url, "crm.deal.list", admin.access_token, { select: ["ID"] })).body.total).toBe(60);
  });

  it("the responsible user reads a closed deal; reopening restores access", async () => {
    await emu.control.setDealAccess(memberId, 8, { private: true, assignedById: 2 });
    expect((await rest(url, "crm.deal.get", maria.access_token, { id: 8 })).status).toBe(200);
    await emu.control.setDealAccess(memberId, 7, { private: false });
    expect((await rest(url, "crm.deal.get", maria.access_token, { id: 7 })).status).toBe(200);
  });

  it("the control works over HTTP and rejects unknown deals", async () => {
    const client = new EmulatorControlClient(emu.oauthUrl);
    expect(await client.setDealAccess(memberId, 9, { private: true, assignedById: 1 })).toEqual({ id: 9, opened: false, assignedById: 1 });
    expect((await rest(url, "crm.deal.get", maria.access_token, { id: 9 })).status).toBe(400);
    await expect(client.setDealAccess(memberId, 99999, { private: true })).rejects.toThrow(/404/);
    await client.setDealAccess(memberId, 9, { private: false });
  });
});
