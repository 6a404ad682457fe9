import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let t: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 10_000 }] });
  url = emu.portals[0]!.url;
  t = await signIn(emu);
});
afterAll(() => emu.stop());

describe("crm.deal.list", () => {
  it("pages by 50 with total and next", async () => {
    const first = await rest(url, "crm.deal.list", t.access_token);
    expect(first.status).toBe(200);
    expect(first.body.result).toHaveLength(50);
    expect(first.body.total).toBe(10_000);
    expect(first.body.next).toBe(50);
    expect(Object.keys(first.body)).toEqual(["result", "total", "next", "time"]);
    const second = await rest(url, "crm.deal.list", t.access_token, { start: 50 });
    expect(second.body.result[0].ID).toBe("51");
    const last = await rest(url, "crm.deal.list", t.access_token, { start: 9_950 });
    expect(last.body.result).toHaveLength(50);
    expect(last.body.next).toBeUndefined();
    expect(last.body.total).toBe(10_000);
  });

  it("start=-1 skips counting: no total, no next", async () => {
    const res = await rest(url, "crm.deal.list", t.access_token, {
      start: -1, order: { ID: "ASC" }, filter: { ">ID": 9_990 }, select: ["ID"],
    });
    expect(res.body.total).toBeUndefined();
    expect(res.body.next).toBeUndefined();
    expect(res.body.result).toEqual(Array.from({ length: 10 }, (_, i) => ({ ID: String(9_991 + i) })));
  });

  it("filters with prefix operators, selects and orders", async () => {
    const res = await rest(url, "crm.deal.list", t.access_token, {
      filter: { ">=ID": 100, "<ID": 110, "!STAGE_ID": "WON" },
      select: ["ID", "STAGE_ID"],
      order: { ID: "DESC" },
    });
    const ids = res.body.result.map((d: { ID: string }) => Number(d.ID));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids.every((id: number) => id >= 100 && id < 110)).toBe(true);
    expect(res.body.result.every((d: { STAGE_ID: string }) => d.STAGE_ID !== "WON")).toBe(true);
    expect(Object.keys(res.body.result[0])).toEqual(["ID", "STAGE_ID"]);
    const inList = await rest(url, "crm.deal.list", t.access_token, { filter: { "@ID": [3, 5, 7] }, select: ["ID"] });
    expect(inList.body.result).toEqual([{ ID: "3" }, { ID: "5" }, { ID: "7" }]);
    const like = await rest(url, "crm.deal.list", t.access_token, { filter: { "%TITLE": "#1234" }, select: ["ID"] });
    expect(like.body.result.map((d: { ID: string }) => d.ID)).toEqual(["1234"]);
  });

  it("accepts the same query as a GET with bracket keys", async () => {
    const res = await fetch(`${url}/rest/crm.deal.list.json?auth=${t.access_token}&filter[%3EID]=9995&select[]=ID&select[]=TITLE`);
    const body = await res.json();
    expect(body.result).toHaveLength(5);
    expect(body.result[0]).toEqual({ ID: "9996", TITLE: "Deal #9996" });
  });

  it("rejects a filter that is not an object", async () => {
    const res = await rest(url, "crm.deal.list", t.access_token, { filter: "x" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "", error_description: "Parameter 'filter' must be array." });
  });
});

describe("crm.deal.get/add/update/delete", () => {
  it("creates, reads, updates and deletes a deal", async () => {
    const add = await rest(url, "crm.deal.add", t.access_token, { fields: { TITLE: "New deal", OPPORTUNITY: 500 } });
    expect(add.status).toBe(200);
    const id = add.body.result as number;
    expect(id).toBe(10_001);
    const get = await rest(url, "crm.deal.get", t.access_token, { id });
    expect(get.body.result).toMatchObject({ ID: "10001", TITLE: "New deal", OPPORTUNITY: "500" });
    expect((await rest(url, "crm.deal.update", t.access_token, { id, fields: { TITLE: "Renamed" } })).body.result).toBe(true);
    expect((await rest(url, "crm.deal.get", t.access_token, { ID: id })).body.result.TITLE).toBe("Renamed");
    expect((await rest(url, "crm.deal.delete", t.access_token, { id })).body.result).toBe(true);
    const gone = await rest(url, "crm.deal.get", t.access_token, { id });
    expect(gone.status).toBe(400);
    expect(gone.body).toEqual({ error: "", error_description: "Not found" });
  });

  it("validates id and fields", async () => {
    expect((await rest(url, "crm.deal.get", t.access_token)).body.error_description).toBe("ID is not defined or invalid.");
    expect((await rest(url, "crm.deal.add", t.access_token, { fields: "x" })).status).toBe(400);
  });

  it("seeds more deals through the control API", async () => {
    const r = await emu.control.seedDeals(emu.portals[0]!.memberId, { count: 100 });
    expect(r.total).toBe(10_100);
  });
});
