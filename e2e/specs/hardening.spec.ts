import { e2e, expect, test } from "../fixtures";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * Framework-level defences: authorization lives in each handler, so
 * middleware-bypass headers change nothing; forwarded hosts do not move our URLs; garbage credentials are a 401,
 * never a crash; every response carries the security headers.
 */
const BYPASS = {
  "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
  "x-nextjs-data": "1",
  "x-forwarded-host": "evil.example",
};

test("protected pages and the proxy refuse anonymous requests, bypass headers or not [#12]", async ({ request }) => {
  for (const path of ["/dashboard", "/deals", "/doctor"]) {
    const res = await request.get(path, { headers: BYPASS, maxRedirects: 0 });
    expect([302, 303, 307, 308, 401, 403], path).toContain(res.status());
    const location = res.headers()["location"];
    if (location) expect(new URL(location, e2e.appUrl).origin, path).toBe(e2e.appUrl);
    expect(await res.text(), path).not.toContain("Welcome,");
  }
  // The installer page answers anonymous visitors with an explanation only.
  const install = await request.get("/install", { headers: BYPASS, maxRedirects: 0 });
  expect(await install.text()).toContain("Only a Bitrix24 administrator can install this app");
  const proxied = await callProxy("", "user.current", {}, { headers: BYPASS });
  expect(proxied.status).toBe(401);
});

test("a forwarded host does not change the OAuth URLs the app builds [#13]", async ({ page }) => {
  const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await page.request.post(`/api/auth/signin/bitrix24?portal=${encodeURIComponent(e2e.portalHost)}`, {
    form: { csrfToken: csrf.csrfToken, callbackUrl: "/dashboard", json: "true" },
    headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
  });
  const { url } = (await res.json()) as { url: string };
  const start = new URL(url);
  expect(start.origin).toBe(e2e.appUrl);
  expect(new URL(start.searchParams.get("redirect_uri")!).origin).toBe(e2e.appUrl);
});

test("garbage credentials are a 401 and the server keeps serving [#14]", async ({ request, page, signIn }) => {
  const garbage: Array<Record<string, string>> = [
    { authorization: "Bearer %" },
    { cookie: "next-auth.session-token=%%%garbage" },
    { cookie: "next-auth.session-token.0=x; next-auth.session-token.1=%" },
  ];
  for (const headers of garbage) {
    const res = await request.post("/api/b24/user.current", {
      headers: { ...headers, origin: e2e.appUrl, "content-type": "application/json", "x-b24-proxy": "1" },
      data: {},
    });
    expect(res.status(), JSON.stringify(headers)).toBe(401);
    // A signed-in page treats it as no session: back to the landing page, never an error.
    const page = await request.get("/dashboard", { headers, maxRedirects: 0 });
    expect(page.status(), JSON.stringify(headers)).toBe(307);
    expect(page.headers()["location"]).toBe("/");
  }
  expect((await request.get("/api/health")).status()).toBe(200);
  // A real session still works afterwards.
  await signIn();
  expect((await callProxy(await sessionCookie(page.context()), "user.current")).status).toBe(200);
});

/** The Cache-Control directives of an answer, lower-cased. */
const directives = (value: string | null | undefined) => (value ?? "").split(",").map((d) => d.trim().toLowerCase());

test("responses carry HSTS, nosniff and no-referrer; tenant pages and API answers are not cacheable [#16]", async ({ page, signIn }) => {
  await signIn();
  for (const path of ["/", "/dashboard", "/deals", "/contacts", "/settings", "/api/health"]) {
    const res = await page.request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h["strict-transport-security"], path).toContain("max-age=");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("no-referrer");
    // Tenant pages and API answers: private, no-store (`next dev` forces plain no-store on pages; production does not).
    if (path !== "/") {
      expect(directives(h["cache-control"]), path).toContain("no-store");
      if (path.startsWith("/api/") || process.env.E2E_DEV !== "1") expect(directives(h["cache-control"]), path).toContain("private");
    }
    expect(h["x-powered-by"], path).toBeUndefined();
  }
  // The REST proxy's answers, a success and a refusal, are the tenant's data or about it.
  const cookie = await sessionCookie(page.context());
  for (const [what, answer, status] of [
    ["success", await callProxy(cookie, "user.current"), 200],
    ["refusal", await callProxy(cookie, "event.bind"), 403],
  ] as const) {
    expect(answer.status, what).toBe(status);
    expect(directives(answer.headers.get("cache-control")), what).toEqual(expect.arrayContaining(["private", "no-store"]));
  }
});
