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

  test("a GET sign-in start is refused with 403 and no redirect, even with the CSRF cookie and its token [#8]", async ({ request, emulator }) => {
    const since = await emulator.lastSeq();
    // Even with a real CSRF cookie and its token in the query: only a POST from the app's page starts a flow.
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    for (const q of [`portal=${e2e.portalHost}`, `portal=${e2e.portalHost}&csrfToken=${csrfToken}`]) {
      const res = await request.get(`/api/auth/signin/bitrix24?${q}`, { maxRedirects: 0 });
      expect(res.status()).toBe(403);
      expect(res.headers()["location"]).toBeUndefined();
      expect(await res.text()).not.toContain(e2e.portalHost);
    }
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("a POST sign-in start without a valid CSRF token is refused with 403 and no redirect [#8]", async ({ playwright, request, emulator }) => {
    const since = await emulator.lastSeq();
    const start = `/api/auth/signin/bitrix24?portal=${encodeURIComponent(e2e.portalHost)}`;
    // A cross-site form: no CSRF cookie at all.
    const bare = await playwright.request.newContext({ baseURL: e2e.appUrl });
    const noCookie = await bare.post(start, { form: { csrfToken: "a".repeat(64), callbackUrl: "/dashboard", json: "true" }, maxRedirects: 0 });
    expect(noCookie.status()).toBe(403);
    expect(noCookie.headers()["location"]).toBeUndefined();
    await bare.dispose();
    // The app's CSRF cookie, but a missing or wrong token in the body.
    await request.get("/api/auth/csrf");
    const forms: Array<Record<string, string>> = [{ callbackUrl: "/dashboard", json: "true" }, { csrfToken: "0".repeat(64), callbackUrl: "/dashboard", json: "true" }];
    for (const form of forms) {
      const res = await request.post(start, { form, maxRedirects: 0 });
      expect(res.status()).toBe(403);
      expect(res.headers()["location"]).toBeUndefined();
    }
    expect(await emulator.log(since)).toHaveLength(0);
  });

  /** The callbackUrl corpus of item 1.5: [label, value]. */
  const CALLBACK_CORPUS: Array<[string, string]> = [
    ["https://evil.example", "https://evil.example"],
    ["//evil.example", "//evil.example"],
    ["/\\evil.example", "/\\evil.example"],
    ["\\/\\/evil.example", "\\/\\/evil.example"],
    ["https:evil.example", "https:evil.example"],
    ["javascript:alert(1)", "javascript:alert(1)"],
    ["%", "%"],
    ["..%2f..", "..%2f.."],
    ["a 4 KB string", `https://evil.example/${"a".repeat(4096)}`],
    ["unicode dots", "https://evil\u3002example\uFF0E\uFF61/x"],
  ];
  for (const [label, callbackUrl] of CALLBACK_CORPUS) {
    test(`callbackUrl ${label} keeps every redirect on the app's origin and no answer is 5xx [#6]`, async ({ page, portalLogin }) => {
      // Every answer of the app along the way, and the Location of each of its redirects.
      const answers: Array<{ url: string; status: number; location?: string }> = [];
      page.on("response", (r) => {
        if (r.url().startsWith(e2e.appUrl)) answers.push({ url: r.url(), status: r.status(), location: r.headers()["location"] });
      });
      // The plain GET entry of next-auth with the same callbackUrl.
      const get = await page.request.get(`/api/auth/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`, { maxRedirects: 0 });
      expect(get.status(), "GET /api/auth/signin").toBeLessThan(500);
      if (get.headers()["location"]) expect(new URL(get.headers()["location"]!, e2e.appUrl).origin, "GET /api/auth/signin").toBe(e2e.appUrl);

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

      const callback = answers.findIndex((a) => new URL(a.url).pathname === "/api/auth/callback/bitrix24");
      expect(callback, "the callback ran").toBeGreaterThanOrEqual(0);
      for (const a of answers) expect(a.status, `${a.url.slice(0, 120)} answered`).toBeLessThan(500);
      const redirects = answers.slice(callback).filter((a) => a.location);
      expect(redirects.length, "the callback redirected").toBeGreaterThan(0);
      for (const a of redirects) expect(new URL(a.location!, a.url).origin, `Location from ${a.url.slice(0, 120)}`).toBe(e2e.appUrl);
    });
  }
});
