import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../index";
import { EmulatorControlClient } from "../control-client";
import { exchange, authorize, http, refresh, rest, signIn, start, startReceiver } from "./helpers";

/**
 * The app's licence per portal (licence.ts; extensions §5): app.info serves STATUS, PAYMENT_EXPIRED, DAYS and
 * LICENSE* for every state; a trial past its end or a paid app past the 14-day grace is blocked (payment page
 * instead of the frame, no events, PAYMENT_REQUIRED from REST and the OAuth server); becoming paid sends ONAPPPAYMENT
 * without any token.
 */
type Receiver = Awaited<ReturnType<typeof startReceiver>>;
let app: Receiver;
let emu: Emulator;
beforeAll(async () => {
  app = await startReceiver();
  emu = await start({ app: { appUrl: app.url, clientId: "local.test.0000000000000042", clientSecret: "test-secret-0123456789abcdef", status: "L" }, portals: [{}, {}, {}] });
});
afterAll(async () => {
  await emu.stop();
  await app.stop();
});

const info = async (i: number, token: string) => (await rest(emu.portals[i]!.url, "app.info", token)).body;

describe("app.info per licence", () => {
  it("serves each STATUS with PAYMENT_EXPIRED, DAYS (null without an end, negative after it) and LICENSE*", async () => {
    const p = emu.portals[0]!;
    const t = await signIn(emu, 0);
    expect((await info(0, t.access_token)).result).toMatchObject({ STATUS: "L", PAYMENT_EXPIRED: "N", DAYS: null });
    const cases = [
      [{ status: "F" }, { STATUS: "F", PAYMENT_EXPIRED: "N", DAYS: null }],
      [{ status: "D" }, { STATUS: "D", PAYMENT_EXPIRED: "N", DAYS: null }],
      [{ status: "T", daysLeft: 12 }, { STATUS: "T", PAYMENT_EXPIRED: "N", DAYS: 12 }],
      [{ status: "P", daysLeft: 0 }, { STATUS: "P", PAYMENT_EXPIRED: "N", DAYS: 0 }],
      [{ status: "P", daysLeft: -3 }, { STATUS: "P", PAYMENT_EXPIRED: "Y", DAYS: -3 }],
      [{ status: "P", daysLeft: -14 }, { STATUS: "P", PAYMENT_EXPIRED: "Y", DAYS: -14 }],
      [{ status: "S", daysLeft: 28, license: "de_ent10000" }, { STATUS: "S", PAYMENT_EXPIRED: "N", DAYS: 28, LICENSE: "de_ent10000", LICENSE_TYPE: "ent10000", LICENSE_FAMILY: "ent" }],
    ] as const;
    for (const [req, want] of cases) {
      const set = await emu.control.setLicence(p.memberId, req);
      expect(set.blocked).toBe(false);
      expect(set.appInfo).toMatchObject(want);
      expect((await info(0, t.access_token)).result).toMatchObject(want);
    }
    // The OAuth server's app.info reports the same letter.
    const oauth = await http(`${emu.oauthUrl}/rest/app.info`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `auth=${t.access_token}` });
    expect(oauth.body.result.install.status).toBe("S");
    await expect(emu.control.setLicence(p.memberId, { status: "X" })).rejects.toThrow(/status must be one of/);
    await expect(emu.control.setLicence(p.memberId, { status: "F", daysLeft: 3 })).rejects.toThrow(/no end/);
  });

  it("a trial past its end is blocked at once; a paid app after 14 days of grace; paying again lifts it and sends ONAPPPAYMENT without tokens", async () => {
    const p = emu.portals[1]!;
    const t = await signIn(emu, 1);
    await rest(p.url, "event.bind", t.access_token, { event: "ONAPPPAYMENT", handler: `${app.url}/payment` });
    await rest(p.url, "event.bind", t.access_token, { event: "ONCRMDEALADD", handler: `${app.url}/deal` });

    const trial = await emu.control.setLicence(p.memberId, { status: "T", daysLeft: -1 });
    expect(trial).toMatchObject({ blocked: true, deliveries: [], appInfo: { STATUS: "T", PAYMENT_EXPIRED: "Y", DAYS: -1 } });
    expect((await info(1, t.access_token)).error).toBe("PAYMENT_REQUIRED");
    expect((await refresh(emu.oauthUrl, t.refresh_token)).body.error).toBe("PAYMENT_REQUIRED");
    const code = (await authorize(p.url, 1)).get("code")!;
    expect((await exchange(emu.oauthUrl, code)).body.error).toBe("PAYMENT_REQUIRED");
    const frame = await http(`${p.url}/marketplace/app/`);
    expect(frame.body).toContain("Payment required");
    expect(frame.body).not.toContain("app-frame");
    expect((await emu.control.events(p.memberId, { event: "ONCRMDEALADD", data: { FIELDS: { ID: "1" } } })).deliveries).toEqual([]);

    // Inside the grace a paid app works (PAYMENT_EXPIRED=Y, DAYS negative) and its payment is an event.
    const grace = await emu.control.setLicence(p.memberId, { status: "P", daysLeft: -5 });
    expect(grace).toMatchObject({ blocked: false, deliveries: [], appInfo: { PAYMENT_EXPIRED: "Y", DAYS: -5 } });
    // Time passes: day -15 is past the grace.
    await emu.control.clock({ advanceSec: 10 * 86400 });
    expect((await emu.control.portal(p.memberId)).paymentRequired).toBe(true);

    const before = app.received.length;
    const paid = await emu.control.setLicence(p.memberId, { status: "P", daysLeft: 30 });
    expect(paid.blocked).toBe(false);
    expect(paid.deliveries.map((d) => [d.event, d.ok])).toEqual([["ONAPPPAYMENT", true]]);
    const got = app.received.slice(before).find((r) => r.path === "/payment")!;
    expect(Object.keys(got.params.auth as Record<string, string>).sort()).toEqual(["client_endpoint", "domain", "member_id", "server_endpoint"]);
    expect(got.params.data).toEqual({ CODE: "local.test.0000000000000042", VERSION: "1", STATUS: "P", PAYMENT_EXPIRED: "N", DAYS: "30", LANGUAGE_ID: "en" });
    const fresh = await signIn(emu, 1);
    // The token answer's `status` is the portal's letter too.
    expect(fresh.status).toBe("P");
    expect((await info(1, fresh.access_token)).result).toMatchObject({ STATUS: "P", PAYMENT_EXPIRED: "N", DAYS: 30 });
    // The same licence again is no payment; a renewal (a later end) is.
    expect((await emu.control.setLicence(p.memberId, { status: "P", daysLeft: 30 })).deliveries).toEqual([]);
    expect((await emu.control.setLicence(p.memberId, { status: "P", daysLeft: 365 })).deliveries).toHaveLength(1);
    await emu.control.clock({ set: Math.floor(Date.now() / 1000) });
  });

  it("a subscription past its end is blocked at once; the control is reachable over HTTP", async () => {
    const p = emu.portals[2]!;
    const client = new EmulatorControlClient(emu.oauthUrl);
    const { now } = await client.clock();
    const out = await client.setLicence(p.memberId, { status: "S", dateFinish: Math.floor(now) - 43200 });
    expect(out).toMatchObject({ blocked: true, appInfo: { STATUS: "S", PAYMENT_EXPIRED: "Y", DAYS: -1 } });
    expect((await client.portal(p.memberId)).paymentRequired).toBe(true);
  });
});
