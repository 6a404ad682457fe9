import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, http, refresh, rest, signIn, start, startReceiver, until } from "./helpers";

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let app: Receiver;
let emu: Emulator;
beforeAll(async () => {
  app = await startReceiver();
  emu = await start({
    app: { ...APP, appUrl: app.url, installHandlerUrl: `${app.url}/install-callback` },
    portals: [{ deals: 5 }, { installed: false }],
  });
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

function frameFields(page: string): Record<string, string> {
  return Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}

describe("app launcher page (https://apidocs.bitrix24.com/settings/oauth/simple-way.html, https://apidocs.bitrix24.com/sdk/bx24-js-sdk/index.html)", () => {
  it("frames the handler and auto-submits the documented POST", async () => {
    const p = emu.portals[0]!;
    const res = await http(`${p.url}/marketplace/app/`);
    expect(res.status).toBe(200);
    const page = res.body as string;
    const name = /<iframe id="app-frame" name="([^"]+)"/.exec(page)![1]!;
    const [domain, protocol, sid] = name.split("|");
    expect(domain).toBe(p.host);
    expect(protocol).toBe("0");
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    const action = new URL(/action="([^"]+)"/.exec(page)![1]!.replace(/&#38;/g, "&"));
    expect(`${action.origin}${action.pathname}`).toBe(`${app.url}/api/b24/app`);
    expect(Object.fromEntries(action.searchParams)).toEqual({ DOMAIN: p.host, PROTOCOL: "0", LANG: "en", APP_SID: sid });
    expect(page).toContain(`target="${name}"`);
    const f = frameFields(page);
    expect(Object.keys(f).sort()).toEqual([
      "APPLICATION_SCOPE", "APPLICATION_TOKEN", "AUTH_EXPIRES", "AUTH_ID", "PLACEMENT", "PLACEMENT_OPTIONS", "REFRESH_ID",
      "SERVER_ENDPOINT", "member_id", "status",
    ]);
    expect(f).toMatchObject({ AUTH_EXPIRES: "3600", SERVER_ENDPOINT: `${emu.oauthUrl}/rest/`, member_id: p.memberId, status: "L", PLACEMENT: "DEFAULT" });
    expect((await rest(p.url, "profile", f.AUTH_ID!)).body.result.ID).toBe("1");
    expect((await refresh(emu.oauthUrl, f.REFRESH_ID!)).status).toBe(200);
    expect(page).toMatch(/<h1>127\.0\.0\.1:\d+<\/h1>/);
    expect(page).toContain('id="status"');
    for (const cmd of ["getInitData", "refreshAuth", "setInstallFinish", "resizeWindow", "setTitle"]) expect(page).toContain(`"${cmd}"`);
  });

  it("gives the bridge fresh tokens for refreshAuth", async () => {
    const p = emu.portals[0]!;
    const page = (await http(`${p.url}/marketplace/app/?user=2`)).body as string;
    const sid = /\|0\|([0-9a-f]{32})"/.exec(page)![1]!;
    const res = await http(`${p.url}/marketplace/app/auth?sid=${sid}`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.AUTH_EXPIRES).toBe("3600");
    expect((await rest(p.url, "profile", res.body.AUTH_ID)).body.result.ID).toBe("2");
    expect((await http(`${p.url}/marketplace/app/auth?sid=unknown`, { method: "POST" })).status).toBe(403);
  });
});

describe("install with UI (https://apidocs.bitrix24.com/settings/app-installation/installation-finish.html)", () => {
  it("installs with a new application_token, shows the installer, holds events until installFinish", async () => {
    const p = emu.portals[1]!;
    const first = await emu.control.install(p.memberId);
    const second = await emu.control.install(p.memberId);
    expect(second.applicationToken).toMatch(/^[0-9a-f]{32}$/);
    expect(second.applicationToken).not.toBe(first.applicationToken);

    const page = (await http(`${p.url}/marketplace/app/`)).body as string;
    expect(page).toContain(`action="${app.url}/api/b24/install?`);
    expect(page).toContain("Installation in progress");
    const f = frameFields(page);
    expect(f.APPLICATION_TOKEN).toBe(second.applicationToken);
    const nonAdmin = await http(`${p.url}/marketplace/app/?user=2`);
    expect(nonAdmin.body).toContain("not fully installed yet");
    expect(nonAdmin.body).not.toContain("<iframe");

    expect((await rest(p.url, "app.info", f.AUTH_ID!)).body.result.INSTALLED).toBe(false);
    const bind = await rest(p.url, "event.bind", f.AUTH_ID!, { event: "ONCRMDEALADD", handler: `${app.url}/events` });
    expect(bind.body.result).toBe(true);
    await rest(p.url, "crm.deal.add", f.AUTH_ID!, { fields: { TITLE: "held" } });
    expect((await emu.control.portal(p.memberId)).heldEvents).toBe(1);
    expect(app.received.filter((r) => r.path === "/events")).toHaveLength(0);

    const sid = /\|0\|([0-9a-f]{32})"/.exec(page)![1]!;
    const fin = await http(`${p.url}/marketplace/app/install-finish?sid=${sid}`, { method: "POST" });
    expect(fin.status).toBe(200);
    const delivered = app.received.filter((r) => r.path === "/events");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.params).toMatchObject({ event: "ONCRMDEALADD", data: { FIELDS: { ID: "1" } } });
    expect((await rest(p.url, "app.info", f.AUTH_ID!)).body.result.INSTALLED).toBe(true);
    const after = (await http(`${p.url}/marketplace/app/?install_finished=Y`)).body as string;
    expect(after).toContain(`action="${app.url}/api/b24/app?`);
    expect(after).toContain("Installation finished");
  });
});

describe("install without UI (https://apidocs.bitrix24.com/api-reference/common/events/on-app-install.html)", () => {
  it("POSTs ONAPPINSTALL form-encoded with working tokens", async () => {
    const extra = await emu.control.addPortal({ installed: false });
    const r = await emu.control.install(extra.memberId, { noUi: true });
    expect(r.delivery?.status).toBe(200);
    const got = app.received.find((x) => x.path === "/install-callback")!;
    expect(got.contentType).toBe("application/x-www-form-urlencoded");
    expect(got.raw).toContain("data%5BVERSION%5D=1");
    expect(got.params).toMatchObject({
      event: "ONAPPINSTALL",
      data: { VERSION: "1", ACTIVE: "Y", INSTALLED: "Y", LANGUAGE_ID: "en" },
      auth: {
        domain: extra.host, member_id: extra.memberId, status: "L", scope: "crm,user,placement", expires_in: "3600", user_id: "1",
        client_endpoint: `${extra.url}/rest/`, server_endpoint: `${emu.oauthUrl}/rest/`, application_token: r.applicationToken,
      },
    });
    const auth = got.params.auth as Record<string, string>;
    expect((await rest(extra.url, "app.info", auth.access_token!)).body.result.INSTALLED).toBe(true);
    expect((await refresh(emu.oauthUrl, auth.refresh_token!)).status).toBe(200);
  });
});

describe("events, uninstall and rename", () => {
  it("delivers bound events with tokens of the triggering user, and without tokens for system triggers", async () => {
    const p = emu.portals[0]!;
    const t = await signIn(emu, 0);
    await rest(p.url, "event.bind", t.access_token, { event: "ONCRMDEALUPDATE", handler: `${app.url}/deal-update` });
    await rest(p.url, "crm.deal.update", t.access_token, { id: 2, fields: { TITLE: "x" } });
    const byUser = await until(() => app.received.find((r) => r.path === "/deal-update"));
    const auth = byUser.params.auth as Record<string, string>;
    expect(auth.access_token).toMatch(/^[0-9a-f]+$/);
    expect(auth.refresh_token).toBeUndefined();
    expect(byUser.params).toMatchObject({ event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: "2" } }, event_handler_id: expect.any(String) });

    const sys = await emu.control.events(p.memberId, { event: "ONCRMDEALUPDATE", data: { FIELDS: { ID: 3 } } });
    expect(sys.deliveries).toHaveLength(1);
    expect(sys.deliveries[0]!.ok).toBe(true);
    const last = app.received.filter((r) => r.path === "/deal-update").at(-1)!;
    expect(Object.keys(last.params.auth as object).sort()).toEqual(["application_token", "client_endpoint", "domain", "member_id", "server_endpoint"]);
  });

  it("uninstalls: ONAPPUNINSTALL with data[CLEAN] and no tokens, then the tokens are dead", async () => {
    const p = await emu.control.addPortal({});
    const idx = emu.portals.length;
    emu.portals.push(p);
    const t = await signIn(emu, idx);
    await rest(p.url, "event.bind", t.access_token, { event: "ONAPPUNINSTALL", handler: `${app.url}/uninstall` });
    const appToken = (await emu.control.portal(p.memberId)).applicationToken;
    const res = await emu.control.uninstall(p.memberId, { clean: true });
    expect(res.deliveries).toHaveLength(1);
    const got = app.received.find((r) => r.path === "/uninstall")!;
    expect(got.params).toMatchObject({ event: "ONAPPUNINSTALL", data: { CLEAN: "1", LANGUAGE_ID: "en" } });
    expect(got.params.auth).toEqual({
      domain: p.host, client_endpoint: `${p.url}/rest/`, server_endpoint: `${emu.oauthUrl}/rest/`, member_id: p.memberId, application_token: appToken,
    });
    expect((await rest(p.url, "profile", t.access_token)).body.error).toBe("invalid_token");
    expect((await refresh(emu.oauthUrl, t.refresh_token)).body.error).toBe("invalid_grant");
    expect((await http(`${p.url}/oauth/authorize/?client_id=${APP.clientId}`)).status).toBe(404);
  });

  it("a renamed portal answers 302 to the new host, and refresh reports the new client_endpoint", async () => {
    const p = emu.portals[0]!;
    const t = await signIn(emu, 0);
    const oldUrl = p.url;
    const r = await emu.control.rename(p.memberId);
    expect(r.oldUrl).toBe(oldUrl);
    expect(r.url).not.toBe(oldUrl);
    expect(emu.portals[0]!.url).toBe(r.url);
    const moved = await http(`${oldUrl}/rest/profile?auth=${t.access_token}`, { method: "POST" });
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe(`${r.url}/rest/profile?auth=${t.access_token}`);
    expect((await rest(r.url, "profile", t.access_token)).status).toBe(200);
    const fresh = await refresh(emu.oauthUrl, t.refresh_token);
    expect(fresh.body.client_endpoint).toBe(`${r.url}/rest/`);
    expect(fresh.body.member_id).toBe(p.memberId);
  });

  it("ONAPPUPDATE brings a new application_token and tokens with a refresh token", async () => {
    const p = emu.portals[0]!;
    const t = await signIn(emu, 0);
    await rest(p.url, "event.bind", t.access_token, { event: "ONAPPUPDATE", handler: `${app.url}/update` });
    const before = (await emu.control.portal(p.memberId)).applicationToken;
    const res = await emu.control.update(p.memberId);
    expect(res.deliveries[0]!.ok).toBe(true);
    const got = app.received.find((r) => r.path === "/update")!;
    const auth = got.params.auth as Record<string, string>;
    expect(auth.application_token).not.toBe(before);
    expect(auth.refresh_token).toBeTruthy();
    expect((await emu.control.portal(p.memberId)).bindings).toEqual([]);
    await emu.control.finishInstall(p.memberId);
  });

  it("a payment after PAYMENT_REQUIRED sends ONAPPPAYMENT with only the portal's address: no tokens, no application_token", async () => {
    const p = emu.portals[0]!;
    const t = await signIn(emu, 0);
    await rest(p.url, "event.bind", t.access_token, { event: "ONAPPPAYMENT", handler: `${app.url}/payment` });
    expect((await emu.control.setPortalState(p.memberId, { paymentRequired: false })).deliveries).toEqual([]);
    await emu.control.setPortalState(p.memberId, { paymentRequired: true });
    expect((await rest(p.url, "profile", t.access_token)).body.error).toBe("PAYMENT_REQUIRED");
    const paid = await emu.control.setPortalState(p.memberId, { paymentRequired: false });
    expect(paid.deliveries.map((d) => [d.event, d.ok])).toEqual([["ONAPPPAYMENT", true]]);
    const got = app.received.find((r) => r.path === "/payment")!;
    expect(Object.keys(got.params.auth as Record<string, string>).sort()).toEqual(["client_endpoint", "domain", "member_id", "server_endpoint"]);
    expect(got.params.data).toMatchObject({ STATUS: "P", PAYMENT_EXPIRED: "N" });
    expect((await rest(p.url, "profile", t.access_token)).status).toBe(200);
  });
});
