import type { Browser, BrowserContext, Page, Response } from "@playwright/test";
import { expect, test } from "../fixtures";
import { startHttpsApp, type HttpsApp } from "../https-app";
import { DashboardPage } from "../pages/dashboard";
import { LandingPage } from "../pages/landing";
import { PortalAppPage } from "../pages/portal-app";
import { PortalLoginPage } from "../pages/portal-login";

/**
 * Production cookie config, observed on the wire: the app runs behind real TLS (e2e/https-app.ts) at
 * https://app.localhost:<port>, the emulated portal on http://127.0.0.1:<port> frames it (different sites, so the app
 * is a third party in that frame). Every Set-Cookie line the browser received from the app must carry the https
 * attribute set; the cookies must then be stored and sent back (the pages render signed in).
 */
// next-auth's cookies, and the language cookie the frame open sets from LANG (lib/i18n/cookie.ts): all must reach the frame.
const NAMES = ["next-auth.session-token", "next-auth.callback-url", "next-auth.csrf-token", "next-auth.pkce.code_verifier", "next-auth.state", "next-auth.nonce", "b24.locale"];

let app: HttpsApp;

test.describe("auth cookies over https", () => {
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(async () => {
    app = await startHttpsApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });

  async function browse(browser: Browser): Promise<{ context: BrowserContext; page: Page; received: () => Promise<Array<{ url: string; line: string }>> }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: app.url });
    const page = await context.newPage();
    const setCookies: Array<{ url: string; line: string }> = [];
    const pending: Array<Promise<void>> = [];
    page.on("response", (r: Response) => {
      if (!r.url().startsWith(`${app.url}/`)) return;
      pending.push(
        r.headersArray().then(
          (headers) => {
            for (const h of headers) if (h.name.toLowerCase() === "set-cookie") for (const line of h.value.split("\n")) setCookies.push({ url: r.url(), line });
          },
          () => {},
        ),
      );
    });
    // Headers arrive asynchronously; wait for every one read so far before asserting.
    const received = async () => {
      await Promise.all(pending);
      return setCookies;
    };
    return { context, page, received };
  }

  function expectProductionCookie(c: { url: string; line: string }): string {
    const [pair, ...attrs] = c.line.split(";").map((s) => s.trim());
    const name = pair!.slice(0, pair!.indexOf("="));
    const attrNames = attrs.map((a) => a.split("=")[0]!.toLowerCase());
    const where = `${c.url}: ${name}`;
    expect(name, where).toMatch(/^__(Host|Secure)-/);
    expect(NAMES, where).toContain(name.replace(/^__(Host|Secure)-/, ""));
    expect(attrNames, where).toContain("secure");
    expect(attrNames, where).toContain("httponly");
    expect(attrNames, where).toContain("partitioned");
    expect(attrs.map((a) => a.toLowerCase()), where).toContain("samesite=none");
    expect(attrs, where).toContain("Path=/");
    // __Host- cookies are host-only: no Domain attribute (the browser would reject it).
    if (name.startsWith("__Host-")) expect(attrNames, where).not.toContain("domain");
    return name;
  }

  test("opened from the portal in a cross-site frame: every Set-Cookie is __Host-, Secure, HttpOnly, SameSite=None, Partitioned, Path=/ and the framed dashboard is signed in [#10]", async ({ browser }) => {
    const { context, page, received } = await browse(browser);
    const dashboardCookies: Array<Promise<string | null>> = [];
    page.on("request", (r) => {
      if (r.url() === `${app.url}/dashboard`) dashboardCookies.push(r.headerValue("cookie"));
    });

    const portal = await app.emulator.addPortal({ installed: false });
    await app.emulator.install(portal.memberId);
    const frame = new PortalAppPage(page);
    await frame.open(portal.url);
    await frame.expectInstallFinished();
    await frame.expectDashboard("Ivan Petrov", portal.host);
    // Opening the app again (the app URL, not the installer) signs in afresh inside the frame.
    await frame.open(portal.url, 2);
    await frame.expectDashboard("Maria Ivanova", portal.host);
    const setCookies = await received();

    expect(setCookies.length).toBeGreaterThan(0);
    const names = setCookies.map(expectProductionCookie);
    expect(names).toContain("__Host-next-auth.session-token");
    // The portal's LANG travels as a cookie the frame keeps, like the session.
    expect(names).toContain("__Host-b24.locale");
    // Both frame entry points set it: the install URL (installer) and the app URL (every later opening).
    const setters = new Set(setCookies.map((c) => new URL(c.url).pathname));
    expect([...setters].sort()).toEqual(["/api/b24/app", "/api/b24/install"]);
    // The frame's document requests carried the cookie back: stored in the frame's partition and sent.
    const sent = await Promise.all(dashboardCookies);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const cookie of sent) expect(cookie).toMatch(/(^|; )__Host-next-auth\.session-token=/);
    // Partitioned (CHIPS): stored under the portal's site, so the same URL opened at top level has no session.
    const stored = (await context.cookies(app.url)).filter((c) => c.name === "__Host-next-auth.session-token");
    expect(stored.length).toBeGreaterThan(0);
    // CHIPS: the cookie jar keys it by the top-level site that framed the app (the portal), not by the app's own site.
    for (const c of stored) expect(c).toMatchObject({ domain: "app.localhost", secure: true, httpOnly: true, sameSite: "None", path: "/", partitionKey: "http://127.0.0.1" });
    const top = await context.newPage();
    await top.goto(`${app.url}/dashboard`);
    await expect(top.getByRole("heading", { level: 1 })).toHaveText("Connect your Bitrix24 in one step");
    await context.close();
  });

  test("standalone sign-in at top level over https: the csrf, callback-url, state and session cookies set by next-auth carry the same attributes and are sent back [#10]", async ({ browser }) => {
    const { context, page, received } = await browse(browser);
    const landing = new LandingPage(page);
    const login = new PortalLoginPage(page);
    await landing.open();
    await landing.connect(app.portal.host);
    await login.expectOpen(app.portal.host);
    await login.allow();
    await new DashboardPage(page).expectSignedIn("Ivan Petrov", app.portal.host);
    const setCookies = await received();

    const names = new Set(setCookies.map(expectProductionCookie));
    for (const n of ["__Host-next-auth.csrf-token", "__Host-next-auth.callback-url", "__Host-next-auth.state", "__Host-next-auth.session-token"]) expect([...names]).toContain(n);
    // A reload is served signed in: the session cookie was stored and is sent back.
    await page.reload();
    await new DashboardPage(page).expectSignedIn("Ivan Petrov", app.portal.host);
    await context.close();
  });
});
