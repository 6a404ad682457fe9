import type { Page } from "@playwright/test";
import { e2e, expect, test } from "../fixtures";
import type { LandingPage } from "../pages/landing";
import type { PortalLoginPage } from "../pages/portal-login";

/**
 * Runs the flow up to the portal's redirect back and returns the callback URL without letting it reach the app.
 * The portal's consent POST is intercepted (Playwright does not route the follow-up request of a redirect).
 */
async function captureCallback(page: Page, landing: LandingPage, portalLogin: PortalLoginPage): Promise<URL> {
  let captured: URL | undefined;
  const consent = `http://${e2e.portalHost}/oauth/authorize/**`;
  await page.route(consent, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    const answer = await route.fetch({ maxRedirects: 0 });
    captured = new URL(answer.headers()["location"]!);
    await route.fulfill({ status: 200, contentType: "text/plain", body: "captured" });
  });
  await landing.open();
  await landing.connect(e2e.portalHost);
  await portalLogin.expectOpen(e2e.portalHost);
  await portalLogin.allow();
  await expect(page.getByText("captured")).toBeVisible();
  await page.unroute(consent);
  expect(captured?.pathname).toBe("/api/auth/callback/bitrix24");
  return captured!;
}

async function expectErrorPage(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/auth\/error/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/could not confirm your sign-in|Sign-in failed/);
}

test.describe("OAuth callback guards", () => {
  test("a callback without the state cookie ends on the error page; no token request, no session [#1]", async ({ page, emulator, db }) => {
    const since = await emulator.lastSeq();
    const before = await db.dump();
    const [portal] = (await emulator.health()).portals;
    await page.goto(`/api/auth/callback/bitrix24?code=abc&state=forged&domain=${e2e.portalHost}&member_id=${portal!.memberId}`);
    await expectErrorPage(page);
    expect(await emulator.tokenRequests(since)).toHaveLength(0);
    expect((await page.context().cookies()).find((c) => c.name.includes("session-token"))).toBeUndefined();
    expect(await db.dump()).toBe(before);
  });

  test("a forged state is refused before any token request [#2]", async ({ page, landing, portalLogin, emulator, db }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    const since = await emulator.lastSeq();
    const before = await db.dump();
    callback.searchParams.set("state", `${callback.searchParams.get("state")!.split(".")[0]}x.AAAA.BBBB`);
    await page.goto(callback.toString());
    await expectErrorPage(page);
    expect(await emulator.tokenRequests(since)).toHaveLength(0);
    expect(await db.dump()).toBe(before);
  });

  test("a callback naming another portal (domain) is refused before any token request [#4]", async ({ page, landing, portalLogin, emulator, db }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    const since = await emulator.lastSeq();
    const before = await db.dump();
    callback.searchParams.set("domain", "127.0.0.1:1");
    await page.goto(callback.toString());
    await expectErrorPage(page);
    expect(await emulator.tokenRequests(since)).toHaveLength(0);
    expect(await db.dump()).toBe(before);
  });

  test("a member_id that differs from the token response is rejected and nothing is stored [#4]", async ({ page, landing, portalLogin, emulator, db }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    const since = await emulator.lastSeq();
    const before = await db.dump();
    callback.searchParams.set("member_id", "0123456789abcdef0123456789abcdef");
    await page.goto(callback.toString());
    await expectErrorPage(page);
    expect(await emulator.tokenRequests(since)).toHaveLength(1);
    expect(await db.dump()).toBe(before);
    expect((await page.context().cookies()).find((c) => c.name.includes("session-token"))).toBeUndefined();
  });

  test("a callback's server_domain is never used: the code goes only to the configured OAuth server, by POST [#5]", async ({ page, landing, portalLogin, emulator }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    callback.searchParams.set("server_domain", "127.0.0.1:1");
    const since = await emulator.lastSeq();
    await page.goto(callback.toString());
    await expect(page).toHaveURL(/\/dashboard$/);
    const calls = await emulator.tokenRequests(since);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe("POST");
    expect(new URLSearchParams(calls[0]!.body).get("client_secret")).toBe(e2e.clientSecret);
    expect(Object.keys(calls[0]!.query)).toEqual([]);
  });

  test("a successful callback cannot be replayed; the replay sends no token request [#3]", async ({ page, landing, portalLogin, emulator }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    await page.goto(callback.toString());
    await expect(page).toHaveURL(/\/dashboard$/);
    const since = await emulator.lastSeq();
    await page.goto(callback.toString());
    await expectErrorPage(page);
    expect(await emulator.tokenRequests(since)).toHaveLength(0);
  });

  test("the callback answer is not cached, leaks no referrer and drops code/state from the URL [#7]", async ({ page, landing, portalLogin }) => {
    const callback = await captureCallback(page, landing, portalLogin);
    const response = await page.request.get(callback.toString(), { maxRedirects: 0 });
    expect(response.status()).toBe(302);
    expect(response.headers()["referrer-policy"]).toBe("no-referrer");
    expect(response.headers()["cache-control"]).toContain("no-store");
    const location = new URL(response.headers()["location"]!, e2e.appUrl);
    expect(location.origin).toBe(e2e.appUrl);
    expect(location.searchParams.has("code")).toBe(false);
    expect(location.searchParams.has("state")).toBe(false);
  });
});

test.describe("sign-in start refuses hosts outside the accepted list", () => {
  for (const host of ["evil.example", "a.bitrix24.com.evil.example", "user@x.bitrix24.ru", "x.bitrix24.ru:8443", "127.0.0.1.evil.example:80"]) {
    test(`refuses ${host} with 400 and no redirect [#8]`, async ({ request, emulator }) => {
      const since = await emulator.lastSeq();
      const q = new URLSearchParams({ client_id: e2e.clientId, state: "s".repeat(43), portal: host });
      const res = await request.get(`/api/b24/authorize?${q}`, { maxRedirects: 0 });
      expect(res.status()).toBe(400);
      expect(res.headers()["location"]).toBeUndefined();
      expect(await res.text()).toContain("Cannot connect to Bitrix24");
      expect(await emulator.log(since)).toHaveLength(0);
    });
  }

  test("a GET sign-in without next-auth's CSRF token never redirects to a portal [#8]", async ({ request, emulator }) => {
    const since = await emulator.lastSeq();
    const res = await request.get(`/api/auth/signin/bitrix24?portal=${e2e.portalHost}`, { maxRedirects: 0 });
    // next-auth sends a GET back to the app's own sign-in page; only a POST with its CSRF token starts a flow.
    expect(res.status()).toBe(302);
    const location = new URL(res.headers()["location"]!, e2e.appUrl);
    expect(location.origin).toBe(e2e.appUrl);
    expect(location.pathname).toBe("/");
    expect(location.toString()).not.toContain(e2e.portalHost);
    expect(await emulator.log(since)).toHaveLength(0);
  });

  for (const callbackUrl of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "%", "javascript:alert(1)"]) {
    test(`callbackUrl ${JSON.stringify(callbackUrl)} keeps the final redirect on the app's origin [#6]`, async ({ page, portalLogin }) => {
      const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
      const res = await page.request.post(`/api/auth/signin/bitrix24?portal=${encodeURIComponent(e2e.portalHost)}`, {
        form: { csrfToken: csrf.csrfToken, callbackUrl, json: "true" },
      });
      expect(res.status()).toBe(200);
      const { url } = (await res.json()) as { url: string };
      await page.goto(url);
      await portalLogin.expectOpen(e2e.portalHost);
      await portalLogin.allow();
      await page.waitForURL((u) => u.pathname !== "/oauth/authorize/" && !u.pathname.startsWith("/api/"));
      expect(new URL(page.url()).origin).toBe(e2e.appUrl);
    });
  }
});
