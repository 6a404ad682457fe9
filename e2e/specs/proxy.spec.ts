import { e2e, expect, test } from "../fixtures";
import { callProxy, sessionCookie } from "../proxy-caller";

/** The REST proxy and tenant isolation. */
test.describe("REST proxy", () => {
  test("never passes the portal's Set-Cookie or Location on to the browser [#21]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const headers = { "set-cookie": "portal_session=stolen; Path=/", location: "https://evil.example/", "x-portal-secret": "canary-header" };
    await emulator.fault({ path: "/rest/user.current", count: 2, kind: "status", status: 200, body: { result: { ID: "1" } }, headers });
    // The emulator really sends them (so the assertion below can fail).
    const direct = await fetch(`http://${e2e.portalHost}/rest/user.current`, { method: "POST", redirect: "manual" });
    expect(direct.headers.get("set-cookie")).toContain("portal_session=stolen");
    expect(direct.headers.get("location")).toBe("https://evil.example/");
    const res = await callProxy(cookie, "user.current");
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ ID: "1" });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("x-portal-secret")).toBeNull();
  });

  test("refuses calls without a session", async ({ emulator }) => {
    const since = await emulator.lastSeq();
    const res = await callProxy("", "user.current");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("unauthenticated");
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("a same-origin JSON call with the header reaches the user's portal with the token in the body only [#20][#21]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    const res = await callProxy(cookie, "user.current");
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ ID: "1", NAME: "Ivan" });
    expect(res.headers.get("cache-control")).toContain("no-store");
    const calls = (await emulator.log(since)).filter((r) => r.server === "portal");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.host).toBe(e2e.portalHost);
    expect(calls[0]!.path).toBe("/rest/user.current");
    expect(JSON.stringify(calls[0]!.query)).toBe("{}");
    const tokens = await emulator.tokens();
    expect(tokens.some((t) => calls[0]!.body.includes(t.access))).toBe(true);
  });

  test("a request naming another portal still goes only to the session's portal [#17]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const other = (await emulator.health()).portals.find((p) => p.host !== e2e.portalHost)!;
    const since = await emulator.lastSeq();
    const res = await callProxy(cookie, "crm.deal.list", { member_id: other.memberId, domain: other.host, select: ["ID"] }, { headers: { "x-portal": other.host } });
    expect(res.status).toBe(200);
    const calls = (await emulator.log(since)).filter((r) => r.server === "portal");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.host).toBe(e2e.portalHost);
  });

  test("method names that could escape the REST base are refused with 400 and nothing is sent [#18]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    for (const m of ["..%2Foauth%2Ftoken", "%2e%2e%2foauth", "https%3A%2F%2Fevil.example%2Fx", "%2F%2Fevil.example", "crm.deal.list%3Fauth%3Dx", "crm.deal.list%23x", "crm%2500.deal", "x".repeat(300), "%D1%8E%D0%B7%D0%B5%D1%80.get"]) {
      const res = await callProxy(cookie, m);
      expect(res.status, m).toBe(400);
    }
    // The empty method: Next answers /api/b24/ with its trailing-slash 308 to /api/b24, which must itself be a 400.
    for (const path of ["/api/b24/", "/api/b24"]) {
      const res = await fetch(`${e2e.appUrl}${path}`, {
        method: "POST",
        headers: { cookie, origin: e2e.appUrl, "content-type": "application/json", "x-b24-proxy": "1" },
        body: "{}",
        redirect: "follow",
      });
      expect(res.status, `empty method via ${path}`).toBe(400);
    }
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("methods outside the allow-list, also inside a batch, are refused with 403 and nothing is sent [#19]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    for (const m of ["event.bind", "placement.bind", "app.option.set"]) {
      expect((await callProxy(cookie, m, {})).status, m).toBe(403);
    }
    const smuggled = await callProxy(cookie, "batch", { cmd: { a: "user.current", b: "event.bind?event=ONCRMDEALADD&handler=https://evil.example/" } });
    expect(smuggled.status).toBe(403);
    expect((await callProxy(cookie, "batch", { cmd: { a: "batch?cmd[x]=user.current" } })).status).toBe(403);
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("cross-site requests are refused even with a valid session cookie [#20]", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    const cases: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "content-type": "text/plain" },
      { "x-b24-proxy": "" },
    ];
    for (const headers of cases) {
      const res = await callProxy(cookie, "user.current", {}, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("params may not carry credentials", async ({ page, signIn, emulator }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    expect((await callProxy(cookie, "user.current", { auth: "stolen" })).status).toBe(400);
    expect((await callProxy(cookie, "user.current", "[1,2]")).status).toBe(400);
    expect((await callProxy(cookie, "user.current", "{not json")).status).toBe(400);
    expect(await emulator.log(since)).toHaveLength(0);
  });

  test("a non-admin's call is made with that user's own token [#24]", async ({ page, landing, portalLogin, dashboard, emulator }) => {
    await landing.open();
    await landing.connect(e2e.portalHost);
    await portalLogin.allow("Maria Ivanova");
    await dashboard.expectSignedIn("Maria Ivanova", e2e.portalHost);
    const cookie = await sessionCookie(page.context());
    const since = await emulator.lastSeq();
    const res = await callProxy(cookie, "user.current");
    expect(res.body.result).toMatchObject({ ID: "2" });
    const call = (await emulator.log(since)).find((r) => r.server === "portal")!;
    const maria = (await emulator.tokens()).filter((t) => t.userId === 2).map((t) => t.access);
    const admin = (await emulator.tokens()).filter((t) => t.userId === 1).map((t) => t.access);
    expect(maria.some((t) => call.body.includes(t))).toBe(true);
    expect(admin.some((t) => call.body.includes(t))).toBe(false);
  });
});
