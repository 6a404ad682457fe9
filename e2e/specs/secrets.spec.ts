import { readFileSync } from "node:fs";
import { ADMIN_NAME, e2e, expect, test } from "../fixtures";
import { PortalAppPage } from "../pages/portal-app";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * Canary secrets: the emulator's live token values, the client secret
 * and the NextAuth secret must not appear in any cookie, page, /api/auth/session answer, log line or URL.
 */
test("no token or secret reaches cookies, pages, the session API, logs or URLs [#11][#34]", async ({ page, signIn, emulator, db }) => {
  const since = await emulator.lastSeq();
  await signIn();
  const dashboardHtml = await page.content();
  const session = await (await page.request.get("/api/auth/session")).text();
  const landingHtml = await (await page.request.get("/")).text();
  const cookies = JSON.stringify(await page.context().cookies());
  const appLog = readFileSync(e2e.appLog, "utf8");
  const urls = (await emulator.log()).map((r) => `${r.path} ${JSON.stringify(r.query)}`).join("\n");

  const tokens = await emulator.tokens();
  expect(tokens.length).toBeGreaterThan(0);
  const canaries = [e2e.clientSecret, e2e.clientSecret2, e2e.nextAuthSecret, ...tokens.flatMap((t) => [t.access, t.refresh])];

  expect(JSON.parse(session)).toMatchObject({ user: { name: "Ivan Petrov" }, portal: { host: e2e.portalHost } });
  for (const canary of canaries) {
    expect(dashboardHtml, "dashboard HTML").not.toContain(canary);
    expect(session, "/api/auth/session").not.toContain(canary);
    expect(landingHtml, "landing HTML").not.toContain(canary);
    expect(cookies, "cookies").not.toContain(canary);
    expect(appLog, "app log").not.toContain(canary);
    expect(urls, "URLs the emulator received").not.toContain(canary);
  }
  expect(await db.dump()).not.toContain(tokens[0]!.refresh);

  // The log is not empty, so the assertion above means something: the app logged at debug level during sign-in.
  expect(appLog).toMatch(/b24\.http/);
  // The code travelled only once, to the OAuth server, in a POST body.
  const tokenCalls = await emulator.tokenRequests(since);
  expect(tokenCalls.every((c) => c.method === "POST" && new URLSearchParams(c.body).has("client_secret"))).toBe(true);
});

/**
 * Every kind of Bitrix24 secret as a canary (authorization code, access/refresh tokens, the frame's AUTH_ID and
 * REFRESH_ID, the installation's application_token, the client secret), after the install, sign-in, proxy, refresh
 * and error paths have all run: none appears in a page, an RSC payload, /api/auth/session, a cookie, an error body,
 * a URL (the app's or the one the emulator received) or the app's log.
 */
test("canaries from install, sign-in, proxy, refresh and error paths reach no page, RSC payload, session, cookie, error body, URL or log [#11][#34]", async ({ page, signIn, emulator }) => {
  test.setTimeout(90_000);
  const since = await emulator.lastSeq();
  const appUrls: string[] = [];
  const framePosts: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(e2e.appUrl)) return;
    appUrls.push(r.url());
    if (r.method() === "POST" && r.resourceType() === "document") framePosts.push(r.postData() ?? "");
  });

  // Install: a new portal installs the app from its frame (AUTH_ID/REFRESH_ID in the POST, application_token minted).
  const portal = await emulator.addPortal({ installed: false });
  const { applicationToken } = await emulator.install(portal.memberId);
  const app = new PortalAppPage(page);
  await app.open(portal.url);
  await app.expectInstallFinished();
  await app.expectDashboard(ADMIN_NAME, portal.host);
  // An event delivery: the portal sends the application_token (and event tokens) to the app's events route.
  const { deliveries } = await emulator.events(portal.memberId, { event: "ONCRMDEALADD", data: { FIELDS: { ID: 1 } }, userId: 1 });
  expect(deliveries.some((d) => d.ok)).toBe(true);
  const frameHtml = (await Promise.all(page.frames().filter((f) => f.url().startsWith(e2e.appUrl)).map((f) => f.content()))).join("\n");
  expect(frameHtml).toContain("Welcome,");

  // Sign-in: the standalone OAuth round trip on the main portal (the authorization code is a canary).
  await page.context().clearCookies();
  await signIn();
  const cookie = await sessionCookie(page.context());
  const tokensBefore = await emulator.tokens();

  // Proxy: a proxied call, then a forced refresh (every access token expired) and a call that needs it.
  expect((await callProxy(cookie, "crm.deal.list", { select: ["ID"] })).status).toBe(200);
  await emulator.expireTokens();
  const refreshSince = await emulator.lastSeq();
  expect((await callProxy(cookie, "user.current")).status).toBe(200);
  const refreshes = (await emulator.tokenRequests(refreshSince)).filter((r) => new URLSearchParams(r.body).get("grant_type") === "refresh_token");
  expect(refreshes.length).toBeGreaterThan(0);

  // Error paths: refused methods, a bad body, a forged event, an anonymous call, an OAuth error, a broken callback.
  const errorBodies: string[] = [];
  for (const [method, params] of [["event.bind", {}], ["..%2Foauth%2Ftoken", {}], ["crm.deal.list", "{not json"]] as const) {
    const res = await callProxy(cookie, method, params);
    expect(res.status, method).toBeGreaterThanOrEqual(400);
    errorBodies.push(JSON.stringify(res.body));
  }
  // An upstream method error travels back as an error answer.
  await emulator.fault({ path: "/rest/crm.deal.get", count: 1, kind: "status", status: 400, body: { error: "ERROR_CORE", error_description: "boom" } });
  const failed = await callProxy(cookie, "crm.deal.get", { id: 1 });
  expect(failed.status).toBeGreaterThanOrEqual(400);
  errorBodies.push(JSON.stringify(failed.body));
  await emulator.clearFaults();
  const forged = await page.request.post("/api/b24/events", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    data: `event=ONAPPUNINSTALL&auth%5Bmember_id%5D=${portal.memberId}&auth%5Bapplication_token%5D=${applicationToken}x`,
  });
  expect(forged.status()).toBe(403);
  errorBodies.push(await forged.text());
  const anonymous = await callProxy("", "user.current");
  expect(anonymous.status).toBe(401);
  errorBodies.push(JSON.stringify(anonymous.body));
  const badCallback = await page.request.get("/api/auth/callback/bitrix24?code=stolen&state=forged", { maxRedirects: 0 });
  errorBodies.push(await badCallback.text(), badCallback.headers()["location"] ?? "");

  // What a browser or a proxy in between could see.
  const pages: Record<string, string> = { frame: frameHtml };
  for (const path of ["/", "/dashboard", "/deals", "/contacts", "/settings", "/doctor", "/install", "/placements/deal-tab"]) {
    pages[path] = await (await page.request.get(path, { headers: { cookie } })).text();
    // The RSC payload a client-side navigation fetches.
    pages[`RSC ${path}`] = await (await page.request.get(path, { headers: { cookie, RSC: "1" } })).text();
  }
  expect(pages["/dashboard"]).toContain("Welcome,");
  expect(pages["RSC /dashboard"], "an RSC payload, not HTML").not.toMatch(/^<!DOCTYPE/i);
  expect(pages["RSC /dashboard"]).toContain("Welcome,");
  const session = await (await page.request.get("/api/auth/session", { headers: { cookie } })).text();
  expect(JSON.parse(session)).toMatchObject({ portal: { host: e2e.portalHost } });
  const cookies = JSON.stringify(await page.context().cookies());
  const emulatorUrls = (await emulator.log(since)).map((r) => `${r.host}${r.path} ${JSON.stringify(r.query)}`).join("\n");
  const appLog = readFileSync(e2e.appLog, "utf8");

  // The canaries, each checked to exist so that "not found" means something.
  const codes = (await emulator.tokenRequests(since))
    .map((r) => new URLSearchParams(r.body))
    .filter((b) => b.get("grant_type") === "authorization_code")
    .map((b) => b.get("code")!);
  expect(codes.length).toBeGreaterThan(0);
  expect(appUrls.some((u) => codes.some((c) => u.includes(c))), "the callback URL seen, so the URL filter below means something").toBe(true);
  const frameFields = framePosts.map((b) => new URLSearchParams(b));
  const authIds = frameFields.map((f) => f.get("AUTH_ID")).filter((v): v is string => !!v);
  const refreshIds = frameFields.map((f) => f.get("REFRESH_ID")).filter((v): v is string => !!v);
  expect(authIds.length).toBeGreaterThan(0);
  expect(refreshIds.length).toBeGreaterThan(0);
  expect(applicationToken.length).toBeGreaterThan(8);
  // The app did receive the application_token (in an event delivery), so its absence below means something.
  expect((await emulator.deliveries()).some((d) => d.memberId === portal.memberId && d.body.includes(applicationToken))).toBe(true);
  const tokensAfter = await emulator.tokens();
  const mainMember = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!.memberId;
  const mainApplicationToken = (await emulator.portal(mainMember)).applicationToken;
  const canaries = new Map<string, string>([
    ["client secret", e2e.clientSecret],
    ["second region's client secret", e2e.clientSecret2],
    ["NextAuth secret", e2e.nextAuthSecret],
    ["application_token", applicationToken],
    ["main portal's application_token", mainApplicationToken],
    ...codes.map((c, i) => [`authorization code ${i}`, c] as [string, string]),
    ...authIds.map((c, i) => [`AUTH_ID ${i}`, c] as [string, string]),
    ...refreshIds.map((c, i) => [`REFRESH_ID ${i}`, c] as [string, string]),
    ...[...tokensBefore, ...tokensAfter].flatMap((t, i) => [[`access token ${i}`, t.access], [`refresh token ${i}`, t.refresh]] as Array<[string, string]>),
  ]);
  for (const [name, canary] of canaries) {
    expect(canary.length, name).toBeGreaterThan(8);
    for (const [where, text] of Object.entries(pages)) expect(text, `${name} in ${where}`).not.toContain(canary);
    expect(session, `${name} in /api/auth/session`).not.toContain(canary);
    expect(cookies, `${name} in cookies`).not.toContain(canary);
    for (const body of errorBodies) expect(body, `${name} in an error body`).not.toContain(canary);
    // The code arrives, by protocol, in the callback URL (RFC 6749 §4.1.2); no other URL of the app may carry it.
    const urls = name.startsWith("authorization code") ? appUrls.filter((u) => new URL(u).pathname !== "/api/auth/callback/bitrix24") : appUrls;
    expect(urls.join("\n"), `${name} in an app URL`).not.toContain(canary);
    expect(emulatorUrls, `${name} in a URL the emulator received`).not.toContain(canary);
    expect(appLog, `${name} in the app log`).not.toContain(canary);
  }
  // The log saw the paths that ran (debug level), so its silence about the canaries means something.
  expect(appLog).toMatch(/b24\.http/);
});
