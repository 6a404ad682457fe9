import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { encodeBracket } from "@/e2e/emulator/form";
import { installNoUi, snapshot, startHarness, withAuth, type Harness } from "@/test/event-harness";
import type * as Index from "../clients";

/**
 * ONAPPUNINSTALL, ordinary events and portal status through a real emulator: only the stored application_token authenticates; a processed uninstall replays as a
 * no-op, a reinstall kills old captures, and a portal that is not active fails fast without network traffic.
 */
let h: Harness;
let A: string;
let B: string;
let b24: typeof Index;

beforeAll(async () => {
  h = await startHarness();
  [A, B] = h.emu.portals.map((p) => p.memberId) as [string, string];
  b24 = await import("../clients");
});

afterAll(async () => {
  await h?.stop();
});

const portalRow = (m: string) => h.db().portal.findUniqueOrThrow({ where: { memberId: m } });
const portalClient = () => b24.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 });
const uninstallBody = (member: string, token: string | null, clean = "0") =>
  encodeBracket({
    event: "ONAPPUNINSTALL",
    data: { LANGUAGE_ID: "en", CLEAN: clean },
    ts: "1762089975",
    auth: { domain: "x", client_endpoint: "https://evil.example/rest/", server_endpoint: "https://evil.example/rest/", member_id: member, application_token: token },
  }).toString();

/** The REST call must fail with `code` and the emulator must see no request at all. */
async function refusedOffline(code: string): Promise<void> {
  const seq = await h.lastSeq();
  await expect(portalClient().call("user.current")).rejects.toMatchObject({ code });
  expect(await h.lastSeq()).toBe(seq);
}

describe("ONAPPUNINSTALL", () => {
  it("item 25: unknown member, missing or wrong application_token (same length, one char off) → 403 and no change [#25]", async () => {
    const { applicationToken: token } = await installNoUi(h, A);
    const before = await snapshot(h);
    const oneOff = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    const cases = [
      uninstallBody(B, token),
      uninstallBody("0".repeat(32), token),
      uninstallBody(A, null),
      uninstallBody(A, ""),
      uninstallBody(A, oneOff),
      uninstallBody(A, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()),
      uninstallBody(A, `${token}0`),
      uninstallBody(A, token.slice(1)),
      uninstallBody(A, token).replace("auth%5Bapplication_token%5D", "auth%5Bapplication_tokens%5D"),
    ];
    for (const body of cases) {
      const res = await h.post(body);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("forbidden");
    }
    await h.settle();
    expect(await snapshot(h)).toEqual(before);
    await expect(portalClient().call("user.current")).resolves.toBeTruthy();
  });

  it("item 29: a verified uninstall deletes the tokens, REST fails fast; a replay is a no-op; after reinstall it is 403 [#29][#41]", async () => {
    await installNoUi(h, A);
    const seq = (await h.emu.control.deliveries()).length;
    const { deliveries } = await h.emu.control.uninstall(A, { clean: false });
    expect(deliveries.map((d) => [d.event, d.status])).toEqual([["ONAPPUNINSTALL", 200]]);
    await h.settle();
    const gone = await portalRow(A);
    expect(gone).toMatchObject({ status: "uninstalled", lastEventName: "ONAPPUNINSTALL" });
    expect(gone.uninstalledAt).toBeInstanceOf(Date);
    expect(await h.db().tokenPair.count({ where: { memberId: A } })).toBe(0);
    expect(await h.db().user.count({ where: { memberId: A } })).toBe(1);
    await refusedOffline("portal_uninstalled");
    await expect(b24.clientFor({ memberId: A, kind: "user", bitrixUserId: 2 }).call("profile")).rejects.toMatchObject({ code: "portal_uninstalled" });

    const captured = (await h.emu.control.deliveries()).slice(seq).find((d) => d.event === "ONAPPUNINSTALL")!.body;
    expect((await h.post(captured)).status).toBe(200);
    expect(await portalRow(A)).toEqual(gone);

    await installNoUi(h, A);
    expect(await portalRow(A)).toMatchObject({ status: "active", uninstalledAt: null });
    await expect(portalClient().call("user.current")).resolves.toBeTruthy();
    const before = await snapshot(h);
    expect((await h.post(captured)).status).toBe(403);
    expect(await snapshot(h)).toEqual(before);
  });

  it("data[CLEAN]=1 purges the portal's users and data after the answer; a reinstall first keeps them", async () => {
    await installNoUi(h, A);
    await h.db().rateBucket.upsert({ where: { memberId: A }, create: { memberId: A, level: 3 }, update: {} });
    const { deliveries } = await h.emu.control.uninstall(A, { clean: true });
    expect(deliveries[0]?.status).toBe(200);
    await h.settle();
    expect(await portalRow(A)).toMatchObject({ status: "uninstalled", installedBy: null });
    expect(await h.db().user.count({ where: { memberId: A } })).toBe(0);
    expect(await h.db().rateBucket.count({ where: { memberId: A } })).toBe(0);

    await installNoUi(h, A);
    const stale = new Date(Date.now() - 60_000);
    await h.events.purgePortalData(A, stale);
    expect(await h.db().user.count({ where: { memberId: A } })).toBe(1);
    expect(await portalRow(A)).toMatchObject({ status: "active", installedBy: 1 });
  });
});

describe("other events", () => {
  it("need the stored application_token; the event is recorded after the answer; an uninstalled portal gets 410", async () => {
    const { applicationToken } = await installNoUi(h, A);
    const body = (token: string) => encodeBracket({ event: "ONCRMDEALADD", data: { FIELDS: { ID: "7" } }, ts: "1", auth: { member_id: A, application_token: token } }).toString();
    expect((await h.post(body("wrong-token-000000000000000000000"))).status).toBe(403);
    const ok = await h.post(body(applicationToken));
    expect(ok).toMatchObject({ status: 200, body: { status: "success" } });
    await h.settle();
    expect(await portalRow(A)).toMatchObject({ lastEventName: "ONCRMDEALADD" });
    await h.emu.control.uninstall(A, { clean: false });
    await h.settle();
    expect((await h.post(body(applicationToken))).status).toBe(410);
  });

  it("malformed deliveries are 4xx without touching the database", async () => {
    const before = await snapshot(h);
    expect((await h.post("event=ONAPPUNINSTALL")).status).toBe(400);
    expect((await h.post("auth[member_id]=abc")).status).toBe(400);
    expect((await h.post("event=ONAPPUNINSTALL&auth[member_id]=../x")).status).toBe(400);
    expect((await h.post("event=x&auth[member_id]=abc", "application/json")).status).toBe(400);
    expect(await snapshot(h)).toEqual(before);
  });
});

describe("portal status", () => {
  it("a blocked portal and a dead installer pair fail fast without traffic; a verified reinstall makes both usable [#41]", async () => {
    await installNoUi(h, A);
    await h.db().portal.update({ where: { memberId: A }, data: { status: "blocked", statusReason: "PAYMENT_REQUIRED" } });
    await refusedOffline("portal_blocked");
    await h.db().portal.update({ where: { memberId: A }, data: { status: "active" } });
    await h.db().tokenPair.updateMany({ where: { memberId: A, kind: "portal" }, data: { status: "needs_reauth" } });
    await refusedOffline("needs_reauth");
    await installNoUi(h, A);
    expect(await portalRow(A)).toMatchObject({ status: "active", statusReason: null });
    await expect(portalClient().call("user.current")).resolves.toBeTruthy();
  });

  it("PAYMENT_REQUIRED from Bitrix24 blocks the portal; later calls do not reach the network [#41]", async () => {
    await installNoUi(h, A);
    await h.emu.control.setPortalState(A, { paymentRequired: true });
    await expect(portalClient().call("user.current")).rejects.toMatchObject({ code: "payment_required" });
    expect(await portalRow(A)).toMatchObject({ status: "blocked" });
    await refusedOffline("portal_blocked");
    await h.emu.control.setPortalState(A, { paymentRequired: false });
  });

  it("ONAPPPAYMENT (no tokens, no application_token) only prompts a re-check: blocked stays blocked until Bitrix24 says it is paid", async () => {
    await installNoUi(h, A);
    await h.emu.control.setPortalState(A, { paymentRequired: true });
    await expect(portalClient().call("user.current")).rejects.toMatchObject({ code: "payment_required" });
    const { recheckBlockedPortal, RECHECK_MIN_INTERVAL_MS } = await import("./recheck");
    const hint = encodeBracket({ event: "ONAPPPAYMENT", data: { CODE: "x", STATUS: "P", PAYMENT_EXPIRED: "N" }, auth: { domain: "x", member_id: A } }).toString();

    // Still unpaid: the hint is answered 200, the re-check asks Bitrix24 once and the portal stays blocked.
    expect((await h.post(hint)).status).toBe(200);
    await h.settle();
    expect(await portalRow(A)).toMatchObject({ status: "blocked" });
    // A flood of hints costs Bitrix24 nothing more inside the throttle window.
    const seq = await h.lastSeq();
    for (let i = 0; i < 5; i++) expect(await recheckBlockedPortal(A)).toBe("throttled");
    expect((await h.emu.control.log(seq)).filter((r) => r.server === "portal")).toHaveLength(0);

    await h.emu.control.setPortalState(A, { paymentRequired: false });
    expect(await recheckBlockedPortal(A, Date.now() + RECHECK_MIN_INTERVAL_MS)).toBe("active");
    expect(await portalRow(A)).toMatchObject({ status: "active", statusReason: null });
    await expect(portalClient().call("user.current")).resolves.toBeTruthy();
    // An active portal is never re-checked by a hint.
    expect(await recheckBlockedPortal(A, Date.now() + 2 * RECHECK_MIN_INTERVAL_MS)).toBe("not_blocked");
  });
});

describe("logs", () => {
  it("never contain delivery bodies or tokens, at debug level, through install, events and uninstall [#34]", async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => (lines.push(String(chunk)), true);
    const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
    process.env.LOG_LEVEL = "debug";
    try {
      const { body, applicationToken } = await installNoUi(h, A);
      await h.post(withAuth(body, { access_token: "canary-access-token-0123456789" }));
      await h.post(uninstallBody(A, `${applicationToken.slice(0, -1)}x`));
      await h.emu.control.uninstall(A, { clean: true });
      await h.settle();
      const posted = new URLSearchParams(body);
      const secrets = [applicationToken, posted.get("auth[access_token]")!, posted.get("auth[refresh_token]")!, "canary-access-token-0123456789"];
      const text = lines.join("");
      expect(text).toContain("b24.event");
      for (const s of secrets) expect(text).not.toContain(s);
    } finally {
      process.env.LOG_LEVEL = "silent";
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe("standalone sign-in against the portal's state (lifecycle.ts)", () => {
  const issued = (memberId: string) => {
    const portal = h.emu.portals.find((p) => p.memberId === memberId)!;
    return {
      accessToken: "signin-access-0123456789", refreshToken: "signin-refresh-0123456789", expiresAt: new Date(Date.now() + 3_600_000),
      memberId, clientEndpoint: `${portal.url}/rest/`, portalHost: portal.host, scope: "crm,user", appStatus: "L", bitrixUserId: 2,
      oauthServer: h.emu.oauthUrl,
    };
  };
  const profile = (memberId: string) => ({ memberId, portalHost: "x", bitrixUserId: 2, name: "Maria Ivanova", email: null, isAdmin: false });

  it("lifts a block, and never revives an uninstalled portal: refused, nothing stored", async () => {
    const { persistSignIn } = await import("../oauth/sign-in");
    const { applicationToken } = await installNoUi(h, B);
    await h.db().portal.update({ where: { memberId: B }, data: { status: "blocked", statusReason: "PAYMENT_REQUIRED" } });
    await persistSignIn(issued(B), profile(B));
    expect(await portalRow(B)).toMatchObject({ status: "active", statusReason: null });

    expect((await h.post(uninstallBody(B, applicationToken))).status).toBe(200);
    const before = await snapshot(h);
    await expect(persistSignIn(issued(B), profile(B))).rejects.toMatchObject({ code: "portal_uninstalled" });
    expect(await snapshot(h)).toEqual(before);
    expect(await portalRow(B)).toMatchObject({ status: "uninstalled" });
  });
});
