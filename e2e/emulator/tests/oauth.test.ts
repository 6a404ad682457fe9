import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { APP, authorize, exchange, http, refresh, rest, signIn, start, form } from "./helpers";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.stop());

describe("OAuth token endpoint", () => {
  it("exchanges a code by POST form with the documented fields", async () => {
    const q = await authorize(emu.portals[0]!.url);
    const res = await exchange(emu.oauthUrl, q.get("code")!);
    expect(res.status).toBe(200);
    const host = new URL(emu.oauthUrl).host;
    expect(res.body).toMatchObject({
      client_endpoint: `${emu.portals[0]!.url}/rest/`,
      domain: host,
      expires_in: 3600,
      member_id: emu.portals[0]!.memberId,
      scope: "crm,user,placement",
      server_endpoint: `${emu.oauthUrl}/rest/`,
      status: "L",
      user_id: 1,
    });
    expect(res.body.access_token).toMatch(/^[0-9a-f]{60,}$/);
    expect(res.body.refresh_token).toMatch(/^[0-9a-f]{60,}$/);
    expect(res.body.expires).toBeGreaterThan(Date.now() / 1000);
  });

  it("exchanges a code by GET query", async () => {
    const q = await authorize(emu.portals[0]!.url, 2);
    const qs = new URLSearchParams({ grant_type: "authorization_code", client_id: APP.clientId, client_secret: APP.clientSecret, code: q.get("code")! });
    const res = await http(`${emu.oauthUrl}/oauth/token/?${qs}`);
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(2);
  });

  it("accepts a code once", async () => {
    const code = (await authorize(emu.portals[0]!.url)).get("code")!;
    expect((await exchange(emu.oauthUrl, code)).status).toBe(200);
    const again = await exchange(emu.oauthUrl, code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
  });

  it("lets a code expire after 30 seconds", async () => {
    const code = (await authorize(emu.portals[0]!.url)).get("code")!;
    await emu.control.clock({ advanceSec: 31 });
    const res = await exchange(emu.oauthUrl, code);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_grant");
  });

  it("rotates refresh tokens: new pair, old refresh single-use, old access dead", async () => {
    const first = await signIn(emu);
    const r1 = await refresh(emu.oauthUrl, first.refresh_token);
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(first.refresh_token);
    expect(r1.body.access_token).not.toBe(first.access_token);
    expect(r1.body).toMatchObject({ expires_in: 3600, user_id: 1, member_id: emu.portals[0]!.memberId });
    const reuse = await refresh(emu.oauthUrl, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    const old = await rest(emu.portals[0]!.url, "profile", first.access_token);
    expect(old.status).toBe(401);
    expect(old.body.error).toBe("invalid_token");
    expect((await rest(emu.portals[0]!.url, "profile", r1.body.access_token)).status).toBe(200);
  });

  it("documents the errors and their statuses", async () => {
    const base = { grant_type: "refresh_token", client_id: APP.clientId, client_secret: APP.clientSecret };
    const wrongClient = await http(`${emu.oauthUrl}/oauth/token/`, form({ ...base, client_id: "app.nope", refresh_token: "x" }));
    expect(wrongClient.status).toBe(200);
    expect(wrongClient.body).toEqual({ error: "wrong_client" });
    const wrongSecret = await http(`${emu.oauthUrl}/oauth/token/`, form({ ...base, client_secret: "bad", refresh_token: "x" }));
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body.error).toBe("invalid_client");
    const missing = await http(`${emu.oauthUrl}/oauth/token/`, form(base));
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: "invalid_request", error_description: 'No "refresh_token" parameter found' });
    const garbage = await refresh(emu.oauthUrl, "garbage");
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toBe("invalid_grant");
    const noGrant = await http(`${emu.oauthUrl}/oauth/token/`, form({ client_id: APP.clientId }));
    expect(noGrant.body.error).toBe("invalid_request");
  });

  it("answers app.info on the OAuth server's REST endpoint (https://apidocs.bitrix24.com/settings/oauth/simple-way.html)", async () => {
    const t = await signIn(emu);
    const res = await http(`${emu.oauthUrl}/rest/app.info?auth=${t.access_token}`);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({
      client_id: APP.clientId,
      scope: "crm,user,placement",
      user_id: "1",
      install: { installed: true, domain: emu.portals[0]!.host, uri: emu.portals[0]!.url, member_id: emu.portals[0]!.memberId },
    });
    expect(res.body.time.start).toBeTypeOf("number");
    const bad = await http(`${emu.oauthUrl}/rest/app.info?auth=nope`);
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("invalid_token");
    const other = await http(`${emu.oauthUrl}/rest/crm.deal.list?auth=${t.access_token}`);
    expect(other.status).toBe(404);
  });

  it("forwards /oauth/authorize/ on the OAuth host to the only portal", async () => {
    const res = await http(`${emu.oauthUrl}/oauth/authorize/?client_id=${APP.clientId}&state=s`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${emu.portals[0]!.url}/oauth/authorize/?client_id=${APP.clientId}&state=s`);
  });
});

describe("token lifetimes and options", () => {
  it("applies the configured access-token lifetime", async () => {
    const e = await start({ accessTokenTtlSec: 60 });
    try {
      const t = await signIn(e);
      expect(t.expires_in).toBe(60);
      expect((await rest(e.portals[0]!.url, "profile", t.access_token)).status).toBe(200);
      await e.control.clock({ advanceSec: 61 });
      const res = await rest(e.portals[0]!.url, "profile", t.access_token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "expired_token", error_description: "The access token provided has expired" });
      expect((await refresh(e.oauthUrl, t.refresh_token)).status).toBe(200);
    } finally {
      await e.stop();
    }
  });

  it("expires refresh tokens after 180 days by default and 28 in the historic mode", async () => {
    const modern = await start();
    const historic = await start({ refreshTokenTtlDays: 28 });
    try {
      const a = await signIn(modern);
      const b = await signIn(historic);
      await modern.control.clock({ advanceSec: 29 * 86400 });
      await historic.control.clock({ advanceSec: 29 * 86400 });
      expect((await refresh(modern.oauthUrl, a.refresh_token)).status).toBe(200);
      expect((await refresh(historic.oauthUrl, b.refresh_token)).body.error).toBe("invalid_grant");
      const c = await signIn(modern);
      await modern.control.clock({ advanceSec: 181 * 86400 });
      expect((await refresh(modern.oauthUrl, c.refresh_token)).body.error).toBe("invalid_grant");
    } finally {
      await modern.stop();
      await historic.stop();
    }
  });

  it("keeps the old access token alive when revokeAccessTokenOnRefresh is false", async () => {
    const e = await start({ revokeAccessTokenOnRefresh: false });
    try {
      const t = await signIn(e);
      expect((await refresh(e.oauthUrl, t.refresh_token)).status).toBe(200);
      expect((await rest(e.portals[0]!.url, "profile", t.access_token)).status).toBe(200);
    } finally {
      await e.stop();
    }
  });
});
