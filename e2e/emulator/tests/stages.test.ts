import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let t: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 200 }] });
  url = emu.portals[0]!.url;
  t = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

describe("deal stages", () => {
  it("crm.status.list {ENTITY_ID: DEAL_STAGE} has the documented rows", async () => {
    const res = await rest(url, "crm.status.list", t.access_token, { filter: { ENTITY_ID: "DEAL_STAGE" }, order: { SORT: "ASC" } });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(8);
    expect(res.body.result[0]).toEqual({
      ID: "101", ENTITY_ID: "DEAL_STAGE", STATUS_ID: "NEW", NAME: "New", NAME_INIT: "New", SORT: "10", SYSTEM: "Y",
      CATEGORY_ID: null, COLOR: "#39A8EF", SEMANTICS: null, EXTRA: { SEMANTICS: "process", COLOR: "#39A8EF" },
    });
    expect(res.body.result.map((s: { STATUS_ID: string }) => s.STATUS_ID)).toEqual(["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE", "APOLOGY"]);
    expect(res.body.result.find((s: { STATUS_ID: string }) => s.STATUS_ID === "WON")).toMatchObject({ NAME: "Deal successful", SEMANTICS: "S" });
    const desc = await rest(url, "crm.status.list", t.access_token, { filter: { ENTITY_ID: "DEAL_STAGE" }, order: { SORT: "DESC" } });
    expect(desc.body.result[0].STATUS_ID).toBe("APOLOGY");
    expect((await rest(url, "crm.status.list", t.access_token, { filter: { ENTITY_ID: "SOURCE" } })).body.result).toEqual([]);
  });

  it("names every STAGE_ID the seeded deals use, and seeded deals carry amount, currency and stage", async () => {
    const names = new Map<string, string>(
      (await rest(url, "crm.status.entity.items", t.access_token, { entityId: "DEAL_STAGE" })).body.result.map((s: { STATUS_ID: string; NAME: string }) => [s.STATUS_ID, s.NAME]),
    );
    const stages = new Set<string>();
    for (let start = 0; start < 200; start += 50) {
      const page = await rest(url, "crm.deal.list", t.access_token, { start, select: ["ID", "STAGE_ID", "CURRENCY_ID", "OPPORTUNITY", "CONTACT_ID"] });
      for (const d of page.body.result) {
        stages.add(d.STAGE_ID);
        expect(d.CURRENCY_ID).toMatch(/^(USD|EUR|RUB)$/);
        expect(d.OPPORTUNITY).toMatch(/^\d+\.\d\d$/);
        expect(d).toHaveProperty("CONTACT_ID");
      }
    }
    expect(stages.size).toBeGreaterThan(3);
    for (const s of stages) expect(names.get(s), s).toBeTruthy();
  });

  it("crm.status.entity.items needs entityId; crm.dealcategory.stage.list serves the main pipeline only", async () => {
    const items = await rest(url, "crm.status.entity.items", t.access_token, { entityId: "DEAL_STAGE" });
    expect(items.body.result[1]).toEqual({ NAME: "Document preparation", SORT: 20, STATUS_ID: "PREPARATION" });
    const none = await rest(url, "crm.status.entity.items", t.access_token, {});
    expect([none.status, none.body.error]).toEqual([400, "The parameter entityId is not defined or invalid."]);
    expect((await rest(url, "crm.dealcategory.stage.list", t.access_token, { id: 0 })).body.result).toHaveLength(8);
    expect((await rest(url, "crm.dealcategory.stage.list", t.access_token, { id: 3 })).body.result).toEqual([]);
  });

  it("crm.category.stage.list is not a documented method, so it is ERROR_METHOD_NOT_FOUND", async () => {
    expect((await rest(url, "crm.category.stage.list", t.access_token, { entityTypeId: 2, categoryId: 0 })).status).toBe(404);
  });
});
