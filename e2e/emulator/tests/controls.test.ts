import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControlClient } from "../control-client";
import type { Emulator } from "../index";
import { APP, authorize, exchange, form, http, refresh, rest, signIn, start } from "./helpers";

let emu: Emulator;
let client: EmulatorControlClient;
beforeAll(async () => {
  emu = await start();
  client = new EmulatorControlClient(emu.oauthUrl);
});
afterAll(() => emu.stop());

describe("request log", () => {
  it("records both servers with method, path, query, raw body, lower-case headers, status and time", async () => {
    await client.clearLog();
    const t = await signIn(emu);
    await http(`${emu.portals[0]!.url}/rest/profile?x=1`, { method: "POST", headers: { "content-type": "application/json", "X-Test": "yes" }, body: JSON.stringify({ auth: t.access_token }) });
    const log = await client.log();
    const token = log.find((e) => e.server === "oauth" && e.path === "/oauth/token/")!;
    expect(token.method).toBe("POST");
    expect(token.body).toContain("grant_type=authorization_code");
    expect(token.status).toBe(200);
    expect(token.host).toBe(new URL(emu.oauthUrl).host);
    const call = log.find((e) => e.server === "portal" && e.path === "/rest/profile")!;
    expect(call).toMatchObject({ method: "POST", query: { x: "1" }, status: 200, host: emu.portals[0]!.host });
    expect(call.headers["x-test"]).toBe("yes");
    expect(JSON.parse(call.body)).toEqual({ auth: t.access_token });
    expect(call.time).toBeTypeOf("number");
    expect(log.every((e) => !e.path.startsWith("/__emulator/"))).toBe(true);
    const since = await client.log(call.seq);
    expect(since.every((e) => e.seq > call.seq)).toBe(true);
  });
});

describe("token controls", () => {
  it("lists live pairs, expires access tokens and revokes refresh tokens", async () => {
    const t = await signIn(emu, 0, 2);
    const live = await client.tokens();
    expect(live.find((p) => p.access === t.access_token)).toMatchObject({ memberId: emu.portals[0]!.memberId, userId: 2, refresh: t.refresh_token, accessExpired: false });
    expect((await client.expireTokens()).expired).toBeGreaterThan(0);
    expect((await rest(emu.portals[0]!.url, "profile", t.access_token)).body.error).toBe("expired_token");
    expect((await client.revokeRefreshTokens()).revoked).toBeGreaterThan(0);
    expect((await refresh(emu.oauthUrl, t.refresh_token)).body.error).toBe("invalid_grant");
  });

  it("revokes one exact refresh token, or one user's, and leaves the others working", async () => {
    const a = await signIn(emu, 0, 1);
    const b = await signIn(emu, 0, 1);
    const c = await signIn(emu, 0, 2);
    expect((await client.revokeRefreshTokens({ refresh: a.refresh_token })).revoked).toBe(1);
    expect((await refresh(emu.oauthUrl, a.refresh_token)).body.error).toBe("invalid_grant");
    expect((await refresh(emu.oauthUrl, b.refresh_token)).status).toBe(200);
    expect((await client.revokeRefreshTokens({ memberId: emu.portals[0]!.memberId, userId: 2 })).revoked).toBeGreaterThan(0);
    expect((await refresh(emu.oauthUrl, c.refresh_token)).body.error).toBe("invalid_grant");
  });
});

describe("fault injection", () => {
  it("answers a status and body for the next N calls", async () => {
    await client.addFault({ path: "/oauth/token/", count: 2, kind: "status", status: 502, body: "bad gateway" });
    const q = await authorize(emu.portals[0]!.url);
    const a = await exchange(emu.oauthUrl, q.get("code")!);
    const b = await exchange(emu.oauthUrl, q.get("code")!);
    const c = await exchange(emu.oauthUrl, q.get("code")!);
    expect([a.status, b.status, c.status]).toEqual([502, 502, 200]);
    expect(a.body).toBe("bad gateway");
  });

  it("resets the connection", async () => {
    await client.addFault({ path: "/rest/*", kind: "reset" });
    await expect(fetch(`${emu.portals[0]!.url}/rest/profile`)).rejects.toThrow();
    expect((await client.log()).at(-1)).toMatchObject({ path: "/rest/profile", status: 0, fault: "reset" });
  });

  it("hangs without answering", async () => {
    await client.addFault({ path: "/oauth/token/", kind: "hang" });
    await expect(fetch(`${emu.oauthUrl}/oauth/token/`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
  });

  it("drop-after-success rotates the refresh token but never answers", async () => {
    const t = await signIn(emu);
    await client.addFault({ path: "/oauth/token/", kind: "drop-after-success" });
    await expect(refresh(emu.oauthUrl, t.refresh_token)).rejects.toThrow();
    expect((await refresh(emu.oauthUrl, t.refresh_token)).body.error).toBe("invalid_grant");
    expect((await client.log()).filter((e) => e.fault === "drop-after-success").at(-1)?.status).toBe(200);
  });

  it("clears faults", async () => {
    await client.addFault({ path: "/oauth/token/", kind: "status", status: 500 });
    await client.clearFaults();
    const res = await http(`${emu.oauthUrl}/oauth/token/`, form({ grant_type: "refresh_token", client_id: APP.clientId, client_secret: APP.clientSecret }));
    expect(res.status).toBe(400);
  });
});

describe("latency and clock", () => {
  it("adds latency to every request", async () => {
    await client.setLatency(150);
    const started = Date.now();
    await http(`${emu.portals[0]!.url}/`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await client.setLatency(0);
  });

  it("sets, advances and freezes the clock", async () => {
    expect((await client.clock({ set: 2_000_000_000, freeze: true })).now).toBe(2_000_000_000);
    expect((await client.clock({ advanceSec: 5 })).now).toBe(2_000_000_005);
    const t = await signIn(emu);
    expect((await client.tokens()).find((p) => p.access === t.access_token)!.expires).toBe(2_000_000_005 + 3600);
    expect((await client.clock({ freeze: false })).frozen).toBe(false);
  });
});

describe("HTTP control API", () => {
  it("reports health with the portal list", async () => {
    const h = await client.health();
    expect(h).toEqual({ ok: true, oauthUrl: emu.oauthUrl, portals: emu.portals.map((p) => ({ ...p })) });
  });

  it("answers 404 for an unknown portal or route", async () => {
    await expect(client.portal("nope")).rejects.toThrow(/404/);
    expect((await http(`${emu.oauthUrl}/__emulator/nothing`)).status).toBe(404);
  });

  it("drives lifecycle and data through HTTP", async () => {
    const before = (await client.deliveries()).at(-1)?.seq ?? 0;
    const p = await client.addPortal({ deals: 2 });
    expect((await client.seedDeals(p.memberId, { count: 3 })).total).toBe(5);
    expect((await client.setPortalState(p.memberId, { paymentRequired: true })).paymentRequired).toBe(true);
    await client.uninstall(p.memberId, { clean: false });
    expect((await client.portal(p.memberId)).installed).toBe(false);
    const inst = await client.install(p.memberId);
    expect(inst.applicationToken).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.finishInstall(p.memberId)).deliveries).toEqual([]);
    const renamed = await client.rename(p.memberId);
    expect(renamed.memberId).toBe(p.memberId);
    // Nothing was bound on the new portal, so none of these steps may have delivered an event anywhere.
    expect(await client.deliveries(before)).toEqual([]);
  });
});
