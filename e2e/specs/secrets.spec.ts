import { readFileSync } from "node:fs";
import { e2e, expect, test } from "../fixtures";

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
  const canaries = [e2e.clientSecret, e2e.nextAuthSecret, ...tokens.flatMap((t) => [t.access, t.refresh])];

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
