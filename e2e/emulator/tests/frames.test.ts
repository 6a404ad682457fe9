import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, exchange, form, http, jsonBody, rest, signIn, start } from "./helpers";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ portals: [{ deals: 3, contacts: 2 }, { installed: false, deals: 1 }] });
});
afterAll(async () => {
  await emu.stop();
});

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
function fields(page: string): Record<string, string> {
  return Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]));
}
const cookieOf = (h: Headers) => (h.get("set-cookie") ?? "").split(";")[0]!;
const sidOf = (page: string) => /\|0\|([0-9a-f]{32})"/.exec(page)![1]!;

describe("portal sign-in and /oauth/authorize/ (P§3.1)", () => {
  it("shows the login page to nobody signed in; choosing a user signs them in; then no form is shown", async () => {
    const p = emu.portals[0]!;
    const url = `${p.url}/oauth/authorize/?client_id=${APP.clientId}&state=s1`;
    const first = await http(url);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<select name="user">');
    const submit = await http(`${p.url}/oauth/authorize/`, form({ client_id: APP.clientId, state: "s1", user: "2" }));
    expect(submit.status).toBe(302);
    const cookie = cookieOf(submit.headers);
    expect(cookie).toMatch(new RegExp(`^b24_portal_${p.url.split(":").at(-1)}=[0-9a-f]{32}$`));
    expect(submit.headers.get("set-cookie")).toMatch(/HttpOnly/);
    expect(submit.headers.get("set-cookie")).toMatch(/Path=\//);

    const again = await http(url, { headers: { cookie } });
    expect(again.status).toBe(302);
    const q = new URL(again.headers.get("location")!).searchParams;
    expect(Object.fromEntries(q)).toMatchObject({ state: "s1", domain: p.host, member_id: p.memberId });
    const tokens = await exchange(emu.oauthUrl, q.get("code")!);
    expect(tokens.body.user_id).toBe(2);

    const out = await http(`${p.url}/auth/?logout=yes&back_url=${encodeURIComponent("/oauth/authorize/?client_id=x")}`, { headers: { cookie } });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/oauth/authorize/?client_id=x");
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await http(url, { headers: { cookie } })).status).toBe(200);
    // An unknown client still gets the error page, signed in or not.
    expect((await http(`${p.url}/oauth/authorize/?client_id=nope`, { headers: { cookie } })).status).toBe(404);
  });

  it("opening a portal page with ?user=N signs N in; another portal's cookie is not this one's", async () => {
    const [a, b] = [emu.portals[0]!, emu.portals[1]!];
    const launcher = await http(`${a.url}/marketplace/app/?user=1`);
    const cookie = cookieOf(launcher.headers);
    const res = await http(`${a.url}/oauth/authorize/?client_id=${APP.clientId}`, { headers: { cookie } });
    expect((await exchange(emu.oauthUrl, new URL(res.headers.get("location")!).searchParams.get("code")!)).body.user_id).toBe(1);
    expect((await http(`${b.url}/auth/`, { headers: { cookie } })).body).not.toContain("Signed in as");
    const login = await http(`${a.url}/auth/`, form({ user: "2", back_url: "//evil.example/" }));
    expect(login.headers.get("location")).toBe("/");
  });
});

describe("the deal card and its CRM_DEAL_DETAIL_TAB frames (§1.4)", () => {
  it("hides the app's tabs until the install is finished, then frames the opening user's §1.4 POST", async () => {
    const p = emu.portals[1]!;
    await emu.control.install(p.memberId);
    const admin = await signIn(emu, 1, 1);
    const handler = "http://127.0.0.1:9/tab?x=1";
    const bound = await rest(p.url, "placement.bind", admin.access_token, { PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: handler, TITLE: "Plain", LANG_ALL: { en: { TITLE: "Our tab" }, de: { TITLE: "Unser Reiter" } } });
    expect(bound.body.result).toBe(true);
    expect((await http(`${p.url}/crm/deal/details/1/?user=1`)).body).not.toContain('role="tab"');
    await emu.control.finishInstall(p.memberId);

    const card = (await http(`${p.url}/crm/deal/details/1/?user=2&lang=de`)).body as string;
    expect(card).toContain('<h1 id="deal-title">Deal #1</h1>');
    expect(card).toMatch(/<button type="button" role="tab" data-index="0" aria-selected="false">Unser Reiter<\/button>/);
    expect(card).not.toContain("<iframe");

    const opened = (await http(`${p.url}/crm/deal/details/1/?user=2&tab=0`)).body as string;
    expect(opened).toContain('aria-selected="true">Our tab</button>');
    const name = /<iframe id="placement-frame" name="([^"]+)"/.exec(opened)![1]!;
    const sid = name.split("|")[2]!;
    expect(name).toBe(`${p.host}|0|${sid}`);
    const action = new URL(unescape(/<form id="placement-form"[^>]* action="([^"]+)"/.exec(opened)![1]!));
    expect(`${action.origin}${action.pathname}`).toBe("http://127.0.0.1:9/tab");
    expect(Object.fromEntries(action.searchParams)).toEqual({ x: "1", DOMAIN: p.host, PROTOCOL: "0", LANG: "en", APP_SID: sid });
    const f = fields(opened);
    expect(f).toMatchObject({ PLACEMENT: "CRM_DEAL_DETAIL_TAB", member_id: p.memberId, status: "L", AUTH_EXPIRES: "3600", SERVER_ENDPOINT: `${emu.oauthUrl}/rest/` });
    expect(JSON.parse(f.PLACEMENT_OPTIONS!)).toEqual({ ID: "1", URI: "/crm/deal/details/1/" });
    expect(f.APPLICATION_TOKEN).toBe((await emu.control.portal(p.memberId)).applicationToken);
    expect(f.APPLICATION_SCOPE).toBe("crm,user,placement");
    expect((await rest(p.url, "profile", f.AUTH_ID!)).body.result.ID).toBe("2");

    const tab = await http(`${p.url}/crm/deal/details/1/tab?index=0&user=1&lang=de`);
    expect(tab.body).toMatchObject({ kind: "placement", placement: "CRM_DEAL_DETAIL_TAB", init: { LANG: "de", IS_ADMIN: true, INSTALL: false, PLACEMENT_OPTIONS: { ID: "1" } } });
    expect((await http(`${p.url}/crm/deal/details/1/tab?index=5&user=1`)).status).toBe(404);
    expect((await http(`${p.url}/crm/deal/details/99/?user=1`)).status).toBe(404);
  });
});

describe("the bridge's portal-side commands and log", () => {
  async function frame(user: number) {
    const page = (await http(`${emu.portals[0]!.url}/marketplace/app/?user=${user}`)).body as string;
    return { sid: sidOf(page), init: JSON.parse(/"init":(\{.*?"PLACEMENT_OPTIONS":\{\}\})/.exec(page)![1]!) };
  }
  const cmd = (sid: string, command: string, params: unknown) => http(`${emu.portals[0]!.url}/marketplace/app/bridge?sid=${sid}`, jsonBody({ command, params }));

  it("FIRST_RUN until setInstall, per user; options; app options only for admins; canned dialogs", async () => {
    const admin = await frame(1);
    expect(admin.init).toMatchObject({ FIRST_RUN: true, INSTALL: false, IS_ADMIN: true, LANG: "en", PATH: "/rest" });
    expect((await cmd(admin.sid, "setInstall", { install: true })).body).toEqual({ reply: { install: true } });
    expect((await frame(1)).init.FIRST_RUN).toBe(false);
    expect((await frame(2)).init.FIRST_RUN).toBe(true);

    const maria = await frame(2);
    expect((await cmd(maria.sid, "setAppOption", { name: "a", value: "1" })).body).toEqual({ silent: "not-admin" });
    expect((await cmd(admin.sid, "setAppOption", { name: "a", value: "1" })).body).toEqual({ reply: { a: "1" } });
    expect((await cmd(maria.sid, "setUserOption", { name: "u", value: "2" })).body).toEqual({ reply: { name: "u", value: "2" } });
    expect((await frame(2)).init).toMatchObject({ USER_OPTIONS: { u: "2" }, APP_OPTIONS: { a: "1" } });

    expect((await cmd(admin.sid, "selectUser", { mult: false })).body.reply).toMatchObject({ id: "1", name: "Ivan Petrov" });
    expect((await cmd(admin.sid, "selectUser", { mult: true })).body.reply).toHaveLength(2);
    const crm = (await cmd(admin.sid, "selectCRM", { entityType: ["deal", "contact", "lead"], multiple: true })).body.reply;
    expect(Object.keys(crm)).toEqual(["deal", "contact"]);
    expect(crm.deal["0"]).toMatchObject({ id: "D_1", type: "deal", title: "Deal #1", url: "/crm/deal/details/1/" });
    expect(Object.keys(crm.contact)).toEqual(["0", "1"]);
    expect((await cmd(admin.sid, "selectAccess", {})).body.reply).toContainEqual({ id: "U2", name: "Maria Ivanova" });

    const slider = (await cmd(admin.sid, "openApplication", { view: "deal", bx24_title: "T", bx24_width: 600 })).body.frame;
    expect(slider).toMatchObject({ kind: "slider", placement: "DEFAULT", fields: { PLACEMENT: "DEFAULT", PLACEMENT_OPTIONS: '{"view":"deal"}' } });
    expect((await cmd("unknown", "selectUser", {})).status).toBe(403);
  });

  it("logs every reported message with the frame's kind and placement, tokens redacted", async () => {
    const p = emu.portals[0]!;
    const page = (await http(`${p.url}/marketplace/app/?user=1&placement=CRM_DEAL_DETAIL_TAB&placement_options=${encodeURIComponent('{"ID":"7"}')}`)).body as string;
    expect(JSON.parse(fields(page).PLACEMENT_OPTIONS!)).toEqual({ ID: "7" });
    const sid = sidOf(page);
    const since = (await emu.control.bridgeLog()).at(-1)?.seq ?? 0;
    await http(`${p.url}/marketplace/app/bridge-log?sid=${sid}`, jsonBody({ command: "setTitle", params: { title: "x", AUTH_ID: "secret" }, answered: false, denied: "context" }));
    await http(`${p.url}/marketplace/app/bridge-log?sid=${sid}`, jsonBody({ command: "getInitData", params: {}, answered: true }));
    const log = await emu.control.bridgeLog(p.memberId, since);
    expect(log.map((e) => [e.command, e.kind, e.placement, e.answered, e.denied])).toEqual([
      ["setTitle", "placement", "CRM_DEAL_DETAIL_TAB", false, "context"],
      ["getInitData", "placement", "CRM_DEAL_DETAIL_TAB", true, undefined],
    ]);
    expect(log[0]!.params).toEqual({ title: "x", AUTH_ID: "[redacted]" });
    expect(log[0]).toMatchObject({ memberId: p.memberId, sid });
    expect(await emu.control.bridgeLog(emu.portals[1]!.memberId, since)).toEqual([]);
  });
});
