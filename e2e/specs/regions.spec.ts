import type { LoggedRequest } from "../emulator-api";
import { ADMIN_NAME, e2e, expect, test } from "../fixtures";
import { DoctorPage } from "../pages/doctor";
import { PortalAppPage } from "../pages/portal-app";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * Both OAuth regions in one app instance: the emulator runs a second OAuth server (playwright.config.ts) with the
 * app's second registration (e2e.clientId2), and the app knows it through B24_OAUTH_SERVERS. A portal of the second
 * region is served with its own credentials at its own server, and the first server never hears of it.
 */
const host1 = new URL(e2e.oauthUrl).host;
const host2 = new URL(e2e.oauth2Url).host;
const form = (r: LoggedRequest) => new URLSearchParams(r.body);
const oauthCalls = (log: LoggedRequest[], host: string) => log.filter((r) => r.server === "oauth" && r.host === host);

test.describe("OAuth regions", () => {
  test("a portal of the second region signs in and refreshes with its own credentials at its own server; the first server hears nothing of it", async ({ page, landing, portalLogin, dashboard, emulator, db }) => {
    const portal = await emulator.addPortal({ oauthServer: 2 });
    const since = await emulator.lastSeq();

    await landing.open();
    await landing.connect(portal.host, host2);
    await portalLogin.expectOpen(portal.host);
    await portalLogin.allow();
    await dashboard.expectSignedIn(ADMIN_NAME, portal.host);

    const signInLog = await emulator.log(since);
    const codeGrants = oauthCalls(signInLog, host2).filter((r) => form(r).get("grant_type") === "authorization_code");
    expect(codeGrants).toHaveLength(1);
    expect(form(codeGrants[0]!).get("client_id")).toBe(e2e.clientId2);
    expect(form(codeGrants[0]!).get("client_secret")).toBe(e2e.clientSecret2);
    expect(codeGrants[0]!.status).toBe(200);
    // The authorize step carried the second registration's client_id to the portal.
    const authorize = signInLog.filter((r) => r.server === "portal" && r.host === portal.host && r.path === "/oauth/authorize/");
    expect(authorize.length).toBeGreaterThan(0);
    for (const r of authorize) expect(r.query.client_id ?? form(r).get("client_id")).toBe(e2e.clientId2);
    expect(await db.portalEndpoints(portal.memberId)).toEqual({ domain: portal.host, clientEndpoint: `${portal.url}/rest/`, serverEndpoint: `${e2e.oauth2Url}/rest/`, oauthServer: e2e.oauth2Url });

    // An expired access token: the proxy's call renews it at the second server, with the second registration.
    const cookie = await sessionCookie(page.context());
    const before = await db.pair(portal.memberId, 1);
    await emulator.expireTokens();
    const beforeRefresh = await emulator.lastSeq();
    expect((await callProxy(cookie, "user.current")).status).toBe(200);
    const refreshLog = await emulator.log(beforeRefresh);
    const refreshes = oauthCalls(refreshLog, host2).filter((r) => form(r).get("refresh_token") === before!.refreshToken);
    expect(refreshes).toHaveLength(1);
    expect(form(refreshes[0]!).get("client_id")).toBe(e2e.clientId2);
    expect(refreshes[0]!.status).toBe(200);
    expect((await db.pair(portal.memberId, 1))!.version).toBe(before!.version + 1);

    // Nothing of this portal went to the first server: not its code, its tokens, nor the second registration.
    const portalSecrets = [codeGrants[0] ? form(codeGrants[0]).get("code")! : "", before!.refreshToken, before!.accessToken];
    for (const r of oauthCalls(await emulator.log(since), host1)) {
      expect(portalSecrets.some((s) => r.body.includes(s))).toBe(false);
      expect(r.body).not.toContain(e2e.clientId2);
    }
  });

  test("a second-region portal installs from its own frame; its events are accepted and its doctor names its OAuth server", async ({ page, emulator, db }) => {
    const portal = await emulator.addPortal({ installed: false, oauthServer: 2 });
    const since = await emulator.lastSeq();
    await emulator.install(portal.memberId);
    const app = new PortalAppPage(page);
    await app.open(portal.url);
    await app.expectInstallFinished();
    await app.expectDashboard(ADMIN_NAME, portal.host);

    // The frame's AUTH_ID was checked at the server its SERVER_ENDPOINT named, because that one is configured.
    const log = await emulator.log(since);
    expect(oauthCalls(log, host2).filter((r) => r.path === "/rest/app.info").length).toBeGreaterThan(0);
    expect(oauthCalls(log, host1)).toEqual([]);
    expect((await db.portalEndpoints(portal.memberId))?.oauthServer).toBe(e2e.oauth2Url);

    const { deliveries } = await emulator.events(portal.memberId, { event: "ONCRMDEALADD", data: { FIELDS: { ID: 1 } }, userId: 1 });
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.ok && d.status === 200)).toBe(true);
    await expect.poll(async () => (await db.lastEvent(portal.memberId)).name).toBe("ONCRMDEALADD");

    await app.doctorLink().click();
    const doctor = new DoctorPage(app.frame);
    await doctor.expectOpen();
    await expect(doctor.value(/^This app's record/, "OAuth server")).toHaveText(e2e.oauth2Url);
    await expect(doctor.value(/^Events/, "Missing")).toHaveText("none");
  });

  test("the first region keeps working beside it: the main portal's sign-in uses the first registration only", async ({ signIn, emulator }) => {
    const since = await emulator.lastSeq();
    await signIn();
    const grants = (await emulator.tokenRequests(since)).filter((r) => form(r).get("grant_type") === "authorization_code");
    expect(grants).toHaveLength(1);
    expect(grants[0]!.host).toBe(host1);
    expect(form(grants[0]!).get("client_id")).toBe(e2e.clientId);
    expect(oauthCalls(await emulator.log(since), host2)).toEqual([]);
  });
});
