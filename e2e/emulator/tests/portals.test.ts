import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, authorize, http, rest, signIn, start } from "./helpers";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({
    portals: [{ memberId: "a".repeat(32) }, {}, { installed: false }],
  });
});
afterAll(() => emu.stop());

describe("several portals", () => {
  it("gives each portal its own port and member_id", () => {
    const [a, b, c] = emu.portals;
    expect(a!.memberId).toBe("a".repeat(32));
    expect(b!.memberId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(emu.portals.map((p) => p.host)).size).toBe(3);
    expect(c!.url).toBe(`http://${c!.host}`);
  });

  it("refuses a token of one portal on another", async () => {
    const t = await signIn(emu, 0);
    expect((await rest(emu.portals[0]!.url, "profile", t.access_token)).status).toBe(200);
    const res = await rest(emu.portals[1]!.url, "profile", t.access_token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_token");
  });

  it("adds a portal at runtime", async () => {
    const p = await emu.control.addPortal({ deals: 3 });
    const res = await http(`${p.url}/`);
    expect(res.status).toBe(200);
    expect((await emu.control.portal(p.memberId)).deals).toBe(3);
  });
});

describe("/oauth/authorize/ on the portal", () => {
  it("shows a sign-in/consent page with the portal's users, admin first", async () => {
    const res = await http(`${emu.portals[0]!.url}/oauth/authorize/?client_id=${APP.clientId}&state=abc`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<label>Sign in as <select name=\"user\">");
    expect(res.body).toMatch(/<option value="1">Ivan Petrov \(administrator\)<\/option><option value="2">Maria Ivanova<\/option>/);
    expect(res.body).toContain('<button type="submit">Allow</button>');
    expect(res.body).toContain('name="state" value="abc"');
  });

  it("redirects to the registered redirect URI with code, state, domain, member_id, scope, server_domain", async () => {
    const res = await http(`${emu.portals[1]!.url}/oauth/authorize/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `client_id=${APP.clientId}&state=xyz&user=2`,
    });
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("location")!);
    expect(`${loc.origin}${loc.pathname}`).toBe("http://127.0.0.1:9/api/auth/callback/bitrix24");
    expect(Object.fromEntries(loc.searchParams)).toEqual({
      code: expect.stringMatching(/^[0-9a-f]+$/),
      state: "xyz",
      domain: emu.portals[1]!.host,
      member_id: emu.portals[1]!.memberId,
      scope: "crm,user,placement",
      server_domain: new URL(emu.oauthUrl).host,
    });
  });

  it("accepts and ignores response_type, redirect_uri and scope", async () => {
    const q = new URLSearchParams({ client_id: APP.clientId, response_type: "code", redirect_uri: "https://evil.example/", scope: "task" });
    expect((await http(`${emu.portals[0]!.url}/oauth/authorize/?${q}`)).status).toBe(200);
    const res = await http(`${emu.portals[0]!.url}/oauth/authorize/?${q}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=1",
    });
    expect(res.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:9\/api\/auth\/callback\/bitrix24\?/);
    expect(new URL(res.headers.get("location")!).searchParams.get("scope")).toBe("crm,user,placement");
  });

  it("shows an error page and does not redirect for an unknown client_id", async () => {
    const res = await http(`${emu.portals[0]!.url}/oauth/authorize/?client_id=app.unknown&state=s`);
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
    expect(res.body).toContain("Application not found");
    const post = await http(`${emu.portals[0]!.url}/oauth/authorize/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "client_id=app.unknown&user=1",
    });
    expect(post.status).toBe(404);
    expect(post.headers.get("location")).toBeNull();
  });

  it("shows an error page and does not redirect when the app is not installed", async () => {
    const res = await http(`${emu.portals[2]!.url}/oauth/authorize/?client_id=${APP.clientId}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
    expect(res.body).toContain("not installed");
    await expect(authorize(emu.portals[2]!.url)).rejects.toThrow(/authorize failed: 404/);
  });
});
