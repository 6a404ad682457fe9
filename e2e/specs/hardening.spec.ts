import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";
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

/** Every page and route under app/ that serves a signed-in user or a portal (app/page.tsx, /auth/error and /api/health are public). */
const PROTECTED_PAGES = ["/dashboard", "/deals", "/contacts", "/settings", "/doctor", "/placements/deal-tab"];
/** Every app/api route with a credential of its own, with the method that does work and the refusals it documents. */
const apiRoutes = (memberId: string): Array<{ method: "GET" | "POST"; path: string; form?: string; refusals: number[] }> => [
  // The REST proxy (session): 401.
  { method: "POST", path: "/api/b24/user.current", refusals: [401] },
  { method: "POST", path: "/api/b24/crm.deal.list", refusals: [401] },
  // The empty method (app/api/b24/route.ts: 401; a build without that route has no handler here: 404).
  { method: "POST", path: "/api/b24", refusals: [401, 404] },
  // Frame entries (AUTH_ID verified with the portal): refused without a verified frame POST.
  { method: "POST", path: "/api/b24/app", form: "", refusals: [400, 401, 403] },
  { method: "POST", path: "/api/b24/placement", form: "PLACEMENT=CRM_DEAL_DETAIL_TAB", refusals: [400, 401, 403] },
  { method: "POST", path: "/api/b24/install", form: "", refusals: [400, 401, 403] },
  // Portal deliveries (auth[application_token]), well-formed but without the token: 403.
  { method: "POST", path: "/api/b24/events", form: `event=ONAPPUNINSTALL&auth%5Bmember_id%5D=${memberId}`, refusals: [403] },
  {
    method: "POST",
    path: "/api/b24/robot",
    form: `code=x&auth%5Bmember_id%5D=${memberId}&event_token=wf1%7CA1%7Ce1.abcdefghijklmnop1234&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_1`,
    refusals: [403],
  },
  // Sign-in start without a portal: an error page, never a redirect elsewhere.
  { method: "GET", path: "/api/b24/authorize", refusals: [400] },
];

type ApiRoute = ReturnType<typeof apiRoutes>[number];

/** One route as a browser would call it: GET plain; POST same-origin, as JSON to the proxy or as a Bitrix24 form. */
function sendTo(request: APIRequestContext, route: ApiRoute, headers: Record<string, string>) {
  if (route.method === "GET") return request.get(route.path, { headers, maxRedirects: 0 });
  const type: Record<string, string> = route.form === undefined ? { "content-type": "application/json", "x-b24-proxy": "1" } : { "content-type": "application/x-www-form-urlencoded" };
  return request.post(route.path, { headers: { ...headers, origin: e2e.appUrl, ...type }, data: route.form ?? "{}", maxRedirects: 0 });
}

test("every protected page and app/api route refuses anonymous requests, with or without bypass headers; nothing reaches the portal [#12]", async ({ request, emulator }) => {
  test.setTimeout(60_000);
  const since = await emulator.lastSeq();
  const headerSets: Array<Record<string, string>> = [
    {},
    BYPASS,
    { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
    { "x-middleware-subrequest": "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware" },
    { "x-nextjs-data": "1", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-invoke-path": "/dashboard" },
  ];
  const memberId = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!.memberId;
  const seen: string[] = [];
  for (const headers of headerSets) {
    const label = JSON.stringify(headers);
    for (const path of PROTECTED_PAGES) {
      const res = await request.get(path, { headers, maxRedirects: 0 });
      seen.push(`${path} ${res.status()}`);
      expect([302, 303, 307, 308, 401, 403], `${path} ${label}`).toContain(res.status());
      const location = res.headers()["location"];
      if (location) expect(new URL(location, e2e.appUrl).origin, `${path} ${label}`).toBe(e2e.appUrl);
      const text = await res.text();
      expect(text, `${path} ${label}`).not.toContain("Welcome,");
      expect(text, `${path} ${label}`).not.toContain(e2e.portalHost);
    }
    const install = await request.get("/install", { headers, maxRedirects: 0 });
    expect(await install.text(), `/install ${label}`).toContain("Only a Bitrix24 administrator can install this app");
    for (const route of apiRoutes(memberId)) {
      const res = await sendTo(request, route, headers);
      seen.push(`${route.method} ${route.path} ${res.status()}`);
      expect(route.refusals, `${route.method} ${route.path} ${label}`).toContain(res.status());
      expect(await res.text(), `${route.method} ${route.path} ${label}`).not.toContain("Welcome,");
    }
    // next-auth's session endpoint: an empty session, whatever the headers claim.
    expect(await (await request.get("/api/auth/session", { headers })).json(), label).toEqual({});
  }
  // Authorization happened in each handler before any work: not one request reached the portal or the OAuth server.
  expect(await emulator.log(since), seen.join("\n")).toHaveLength(0);
});

test("garbage credentials on every page and app/api route are refused, nothing 5xx, the server keeps serving and logs no unhandled rejection [#14]", async ({ request, emulator, page, signIn }) => {
  test.setTimeout(60_000);
  const logStart = readFileSync(e2e.appLog, "utf8").length;
  const memberId = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!.memberId;
  const sessions: Array<Record<string, string>> = [
    { authorization: "Bearer %" },
    { authorization: "Basic %%%" },
    { cookie: "next-auth.session-token=%%%garbage" },
    { cookie: "next-auth.session-token.0=x; next-auth.session-token.1=%" },
    { cookie: `next-auth.session-token=${"A".repeat(3000)}.${"%".repeat(10)}` },
    { cookie: "__Secure-next-auth.session-token=%E0%A4%A; next-auth.csrf-token=%" },
  ];
  for (const headers of sessions) {
    const label = JSON.stringify(headers).slice(0, 80);
    for (const path of PROTECTED_PAGES) {
      const res = await request.get(path, { headers, maxRedirects: 0 });
      expect(res.status(), `${path} ${label}`).toBe(307);
      expect(res.headers()["location"], `${path} ${label}`).toBe("/");
    }
    expect((await request.get("/install", { headers })).status(), `/install ${label}`).toBe(200);
    for (const route of apiRoutes(memberId)) {
      const res = await sendTo(request, route, headers);
      expect(route.refusals, `${route.method} ${route.path} ${label}`).toContain(res.status());
    }
    const session = await request.get("/api/auth/session", { headers });
    expect(session.status(), label).toBe(200);
    expect(await session.json(), label).toEqual({});
  }
  // Garbage in each route's own credential: a frame's AUTH_ID, a delivery's application_token, a sign-in's code.
  const garbageForms: Array<[string, string, number[]]> = [
    ["/api/b24/app", `DOMAIN=${e2e.portalHost}&AUTH_ID=%25%00&REFRESH_ID=%25&member_id=${memberId}`, [400, 401, 403]],
    ["/api/b24/placement", `DOMAIN=${e2e.portalHost}&AUTH_ID=${"z".repeat(300)}&PLACEMENT=CRM_DEAL_DETAIL_TAB&member_id=${memberId}`, [400, 401, 403]],
    ["/api/b24/install", `DOMAIN=${e2e.portalHost}&AUTH_ID=garbage&REFRESH_ID=garbage&member_id=${memberId}`, [400, 401, 403]],
    ["/api/b24/events", `event=ONAPPUNINSTALL&auth%5Bmember_id%5D=${memberId}&auth%5Bapplication_token%5D=%25`, [403]],
    ["/api/b24/events", `event=ONAPPUNINSTALL&auth%5Bmember_id%5D=${memberId}&auth%5Bapplication_token%5D=%`, [400]],
    ["/api/b24/robot", `code=x&auth%5Bmember_id%5D=${memberId}&auth%5Bapplication_token%5D=garbage&event_token=wf1%7CA1%7Ce1.abcdefghijklmnop1234&document_id%5B2%5D=DEAL_1`, [403]],
  ];
  for (const [path, form, refusals] of garbageForms) {
    const res = await request.post(path, { headers: { "content-type": "application/x-www-form-urlencoded" }, data: form, maxRedirects: 0 });
    expect(refusals, `${path} ${form}`).toContain(res.status());
  }
  for (const path of ["/api/b24/authorize?portal=%25", "/api/b24/authorize?portal=%", "/api/auth/callback/bitrix24?code=%25&state=%", "/api/auth/session?%"]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBeLessThan(500);
  }

  // Still serving, and nothing escaped a handler.
  expect((await request.get("/api/health")).status()).toBe(200);
  await signIn();
  expect((await callProxy(await sessionCookie(page.context()), "user.current")).status).toBe(200);
  const log = readFileSync(e2e.appLog, "utf8").slice(logStart);
  expect(log, "the log captured this test's refusals, so its silence below means something").toContain("b24.robot.refused");
  expect(log).not.toMatch(/unhandledRejection|unhandled rejection|uncaughtException|uncaught exception|UnhandledPromiseRejection/i);
  expect(log, "no handler crashed (Next prints ⨯ for an error it caught)").not.toContain("⨯");
});
