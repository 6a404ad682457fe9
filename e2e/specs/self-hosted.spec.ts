import { EmulatorApi } from "../emulator-api";
import { ADMIN_NAME, e2e, expect, test } from "../fixtures";
import { PortalAppPage } from "../pages/portal-app";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * A self-hosted Bitrix24: a portal whose address is outside the app's allow-list (e2e.selfHostedPort, excluded from
 * B24_PORTAL_HOSTS in e2e/env.ts). Typed, the host is refused; opened or installed from the portal, the OAuth server
 * vouches for it (app.info on the frame's AUTH_ID) and the app serves it. In production the vouched host is any
 * public https name (crm.acme.example); the emulator lives on loopback, which the test opt-in admits as a vouched
 * host only (lib/http/hosts.ts checkVouchedHost; unit-tested with an injected resolver in lib/http/*.test.ts).
 */
test.describe.configure({ mode: "serial" });

let portal: { url: string; host: string; memberId: string };

test.beforeAll(async () => {
  // The emulator starts it, not installed, on that port (playwright.config.ts --self-hosted-port).
  const host = `127.0.0.1:${e2e.selfHostedPort}`;
  portal = (await new EmulatorApi().health()).portals.find((p) => p.host === host)!;
  expect(portal, host).toBeDefined();
});

test.describe("a self-hosted portal", () => {
  test("typed on the landing page it is refused: a host a person types must be on the allow-list", async ({ page, landing, emulator }) => {
    const since = await emulator.lastSeq();
    await landing.open();
    await landing.connect(portal.host);
    await expect(landing.error()).toHaveText(/not one of the portals this app accepts.*B24_PORTAL_HOSTS/);
    await expect(page).toHaveURL(`${e2e.appUrl}/`);
    expect(await emulator.log(since)).toEqual([]);
  });

  test("a Market install from its own frame works once the OAuth server vouched for it; REST goes to the vouched host", async ({ page, emulator, db }) => {
    const since = await emulator.lastSeq();
    await emulator.install(portal.memberId);
    const app = new PortalAppPage(page);
    await app.open(portal.url);
    await app.expectInstallFinished();
    await app.expectDashboard(ADMIN_NAME, portal.host);

    expect(await db.portalEndpoints(portal.memberId)).toEqual({ domain: portal.host, clientEndpoint: `${portal.url}/rest/`, serverEndpoint: `${e2e.oauthUrl}/rest/`, oauthServer: e2e.oauthUrl });
    const log = await emulator.log(since);
    // Verified first: the frame's AUTH_ID went to the OAuth server before the app called the portal at all.
    const firstCheck = log.find((r) => r.server === "oauth" && r.path === "/rest/app.info");
    const firstRest = log.find((r) => r.server === "portal" && r.host === portal.host && r.path.startsWith("/rest/"));
    expect(firstCheck && firstRest && firstCheck.seq < firstRest.seq).toBe(true);
    expect(log.some((r) => r.server === "portal" && r.host === portal.host && r.path.startsWith("/rest/event.bind"))).toBe(true);
    // The app's pages may be framed by the vouched portal only.
    const res = await page.request.get(`${e2e.appUrl}/dashboard`);
    expect(res.headers()["content-security-policy"]).toBe(`frame-ancestors ${portal.url}`);
  });

  test("another user opens the app from the portal; the proxy reaches the vouched portal with that user's token", async ({ page, emulator }) => {
    const app = new PortalAppPage(page);
    await app.open(portal.url, 2);
    await app.expectDashboard("Maria Ivanova", portal.host);
    const since = await emulator.lastSeq();
    const cookie = await sessionCookie(page.context());
    const answer = await callProxy(cookie, "user.current");
    expect(answer.status).toBe(200);
    expect(String((answer.body.result as { ID?: string | number }).ID)).toBe("2");
    // The dashboard may still be loading its own data through the proxy: every portal request, this one included,
    // must go to the vouched host.
    const calls = (await emulator.log(since)).filter((r) => r.server === "portal");
    expect(calls.some((r) => r.path.startsWith("/rest/user.current"))).toBe(true);
    expect([...new Set(calls.map((r) => r.host))]).toEqual([portal.host]);
  });

  test("a frame POST naming the self-hosted host with another portal's token is refused, and nothing is stored for it", async ({ page, signIn, emulator, db }) => {
    await signIn();
    const other = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!;
    const token = (await emulator.tokens()).find((t) => t.memberId === other.memberId && !t.accessExpired)!;
    const before = await db.portal(portal.memberId);
    const res = await page.request.post(`${e2e.appUrl}/api/b24/app?DOMAIN=${encodeURIComponent(portal.host)}&PROTOCOL=0&LANG=en&APP_SID=abc`, {
      form: { AUTH_ID: token.access, REFRESH_ID: token.refresh, member_id: portal.memberId, AUTH_EXPIRES: "3600" },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect(await db.portal(portal.memberId)).toEqual(before);
  });
});
