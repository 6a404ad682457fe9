import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { rest, signIn, start, startReceiver, until } from "./helpers";

let emu: Emulator;
let app: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  app = await startReceiver();
  emu = await start({ portals: [{ contacts: 75 }] });
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

describe("crm.contact.*", () => {
  it("lists 50 a page with total and next, filters and orders like deals, returns EMAIL only when selected", async () => {
    const t = await signIn(emu);
    const url = emu.portals[0]!.url;
    const first = (await rest(url, "crm.contact.list", t.access_token, { order: { ID: "ASC" } })).body;
    expect(first.result).toHaveLength(50);
    expect(first).toMatchObject({ total: 75, next: 50 });
    expect(first.result[0]).not.toHaveProperty("EMAIL");
    const second = (await rest(url, "crm.contact.list", t.access_token, { start: 50, select: ["ID", "NAME", "EMAIL"] })).body;
    expect(second.result).toHaveLength(25);
    expect(second).not.toHaveProperty("next");
    expect(second.result[0].EMAIL[0]).toMatchObject({ VALUE_TYPE: "WORK", TYPE_ID: "EMAIL" });
    const filtered = (await rest(url, "crm.contact.list", t.access_token, { filter: { "%LAST_NAME": "Petrov" }, start: -1 })).body;
    expect(filtered.result.length).toBeGreaterThan(0);
    expect(filtered).not.toHaveProperty("total");
    for (const c of filtered.result) expect(c.LAST_NAME).toBe("Petrov");
  });

  it("adds with multi-fields, reads it back, and fires ONCRMCONTACTADD to bound handlers", async () => {
    const t = await signIn(emu);
    const url = emu.portals[0]!.url;
    await rest(url, "event.bind", t.access_token, { event: "ONCRMCONTACTADD", handler: `${app.url}/contact-add` });
    const added = await rest(url, "crm.contact.add", t.access_token, { fields: { NAME: "Ada", LAST_NAME: "Lovelace", EMAIL: [{ VALUE: "ada@example.test", VALUE_TYPE: "WORK" }] } });
    const id = added.body.result as number;
    expect(id).toBe(76);
    const got = (await rest(url, "crm.contact.get", t.access_token, { id })).body.result;
    expect(got).toMatchObject({ ID: "76", NAME: "Ada", LAST_NAME: "Lovelace", HAS_EMAIL: "Y", EMAIL: [{ VALUE: "ada@example.test", VALUE_TYPE: "WORK" }] });
    const delivered = await until(() => app.received.find((r) => r.path === "/contact-add"));
    expect(delivered.params.data).toEqual({ FIELDS: { ID: "76" } });
    expect((await rest(url, "crm.contact.add", t.access_token, { fields: "x" })).status).toBe(400);
  });
});
