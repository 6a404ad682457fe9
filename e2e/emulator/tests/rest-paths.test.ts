import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { http, rest, signIn, start, type Tokens } from "./helpers";

let emu: Emulator;
let admin: Tokens;
let user: Tokens;
let url: string;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 3, contacts: 2 }] });
  url = emu.portals[0]!.url;
  admin = await signIn(emu, 0, 1);
  user = await signIn(emu, 0, 2);
});
afterAll(() => emu.stop());

describe(".xml transport", () => {
  it("answers the envelope as XML under <response>, lists as <item>", async () => {
    const res = await fetch(`${url}/rest/profile.xml?auth=${admin.access_token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(/^<response><result><ID>1<\/ID><ADMIN>1<\/ADMIN><NAME>Ivan<\/NAME>/);
    expect(text).toMatch(/<time><start>[\d.]+<\/start>.*<\/time><\/response>$/);
    const list = await (await fetch(`${url}/rest/crm.deal.list.xml?auth=${admin.access_token}&select[]=ID`)).text();
    expect(list).toMatch(/^<response><result><item><ID>1<\/ID><\/item><item><ID>2<\/ID><\/item><item><ID>3<\/ID><\/item><\/result><total>3<\/total>/);
  });

  it("errors are XML too, with the usual status", async () => {
    const res = await fetch(`${url}/rest/profile.xml`);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("<response><error>NO_AUTH_FOUND</error><error_description>Wrong authorization data</error_description></response>");
    const missing = await fetch(`${url}/rest/no.such.method.xml?auth=${admin.access_token}`);
    expect([missing.status, await missing.text()]).toEqual([404, "<response><error>ERROR_METHOD_NOT_FOUND</error><error_description>Method not found!</error_description></response>"]);
  });

  it("escapes text", async () => {
    await rest(url, "user.option.set", admin.access_token, { options: { note: "<b>&\"" } });
    const text = await (await fetch(`${url}/rest/user.option.get.xml?auth=${admin.access_token}&option=note`)).text();
    expect(text).toContain("<result>&lt;b&gt;&amp;&quot;</result>");
  });
});

describe("webhook paths", () => {
  it("/rest/{user}/{secret}/{method} answers 401 INVALID_CREDENTIALS: the emulator issues no webhooks", async () => {
    for (const path of ["/rest/1/abcdef0123456789/profile", "/rest/1/abcdef/crm.deal.list.json", "/rest/1/abcdef/user.current/", "/rest/1/abcdef/no.such.method"]) {
      const res = await http(`${url}${path}`);
      expect([res.status, res.body], path).toEqual([401, { error: "INVALID_CREDENTIALS", error_description: "Invalid request credentials" }]);
    }
    const q = await http(`${url}/rest/profile?aplogin=1&ap=secret`);
    expect([q.status, q.body.error]).toEqual([401, "INVALID_CREDENTIALS"]);
  });

  it("other unknown paths stay 404", async () => {
    expect((await http(`${url}/rest/api/tasks.task.get`)).status).toBe(404);
    expect((await http(`${url}/rest/a/b/c/d`)).status).toBe(404);
  });
});

describe("batch result_time", () => {
  it("each entry has exactly the core's six time fields, even when the outer time has operating fields", async () => {
    await emu.control.setMethodCost({ method: "crm.deal.list", ms: 200 });
    try {
      const res = await rest(url, "batch", admin.access_token, { cmd: { a: "crm.deal.list?select[]=ID", b: "profile" } });
      const times = res.body.result.result_time;
      for (const k of ["a", "b"]) {
        expect(Object.keys(times[k]), k).toEqual(["start", "finish", "duration", "processing", "date_start", "date_finish"]);
      }
      expect(times.a.duration).toBeCloseTo(0.2);
      expect(res.body.time).toHaveProperty("operating");
    } finally {
      await emu.control.setMethodCost({ method: "crm.deal.list", ms: null });
    }
  });
});

describe("app.option / user.option", () => {
  it("user.option.* is per user, for any user, and takes bare params as options", async () => {
    expect((await rest(url, "user.option.set", user.access_token, { options: { theme: "dark", n: 1 } })).body.result).toBe(true);
    expect((await rest(url, "user.option.set", user.access_token, { lang: "de" })).body.result).toBe(true);
    expect((await rest(url, "user.option.get", user.access_token)).body.result).toEqual({ theme: "dark", n: 1, lang: "de" });
    expect((await rest(url, "user.option.get", user.access_token, { option: "theme" })).body.result).toBe("dark");
    expect((await rest(url, "user.option.get", user.access_token, { option: "missing" })).body.result).toBeNull();
    expect((await rest(url, "user.option.get", admin.access_token, { option: "lang" })).body.result).toBeNull();
  });

  it("an empty set is 400 ERROR_ARGUMENT options, checked before the admin check of app.option.set", async () => {
    const empty = { error: "ERROR_ARGUMENT", error_description: "Argument 'options' is null or empty", argument: "options" };
    for (const [token, m] of [[user.access_token, "user.option.set"], [user.access_token, "app.option.set"], [admin.access_token, "app.option.set"]] as const) {
      const r = await rest(url, m, token, { options: {} });
      expect([r.status, r.body], m).toEqual([400, empty]);
    }
    const denied = await rest(url, "app.option.set", user.access_token, { options: { a: 1 } });
    expect([denied.status, denied.body]).toEqual([403, { error: "ACCESS_DENIED", error_description: "Access denied! Administrator authorization required" }]);
    expect((await rest(url, "app.option.set", admin.access_token, { color: "red" })).body.result).toBe(true);
    expect((await rest(url, "app.option.get", user.access_token, { option: "color" })).body.result).toBe("red");
  });
});

describe("seeded deals link seeded contacts", () => {
  it("CONTACT_ID names an existing contact when the portal has contacts", async () => {
    const deals = (await rest(url, "crm.deal.list", admin.access_token, { select: ["ID", "CONTACT_ID"] })).body.result;
    for (const d of deals) expect(["1", "2"]).toContain(d.CONTACT_ID);
  });
});
