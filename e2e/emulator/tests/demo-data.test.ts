import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { rest, signIn, start } from "./helpers";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 30, contacts: 30, demoData: true }, { deals: 3, contacts: 3 }] });
});
afterAll(() => emu.stop());

describe("demo data (PortalSeed.demoData, --demo-data)", () => {
  it("seeds plausible deal titles and contacts; without the flag the titles stay Deal #<id>", async () => {
    const t = await signIn(emu);
    const demo = emu.portals[0]!.url;
    const deals = (await rest(demo, "crm.deal.list", t.access_token, { select: ["ID", "TITLE"] })).body.result as Array<{ TITLE: string }>;
    for (const d of deals) expect(d.TITLE).toMatch(/^[A-Z][\w ]+ — [A-Z][\w &]+$/);
    const contacts = (await rest(demo, "crm.contact.list", t.access_token, { select: ["NAME", "LAST_NAME", "EMAIL"] })).body.result as Array<{ NAME: string; LAST_NAME: string; EMAIL: Array<{ VALUE: string }> }>;
    for (const c of contacts) {
      expect(c.EMAIL[0]!.VALUE).toBe(c.EMAIL[0]!.VALUE.toLowerCase());
      expect(c.EMAIL[0]!.VALUE).toMatch(new RegExp(`^${c.NAME}\\.${c.LAST_NAME}@[a-z-]+\\.example$`, "i"));
    }
    expect(new Set(contacts.map((c) => c.LAST_NAME)).size).toBeGreaterThan(5);

    const plain = await signIn(emu, 1);
    const titles = (await rest(emu.portals[1]!.url, "crm.deal.list", plain.access_token, { select: ["ID", "TITLE"] })).body.result as Array<{ ID: string; TITLE: string }>;
    expect(titles).toHaveLength(3);
    for (const d of titles) expect(d.TITLE).toBe(`Deal #${d.ID}`);
  });
});
