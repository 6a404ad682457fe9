import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT, installNoUi, snapshot, startHarness, withAuth, type Harness } from "@/test/event-harness";
import type * as AppToken from "../tokens/app-token";
import type * as Config from "../config";
import type * as Install from "./install";
import type * as TokenStore from "../store/token-store";

/**
 * Install-side deliveries through a real emulator: ONAPPINSTALL and
 * ONAPPUPDATE are stored only after the OAuth server vouches for the token, posted endpoints are never called,
 * and duplicate deliveries converge on one row with one consistent pair.
 */
let h: Harness;
let A: string;
let B: string;
let install: typeof Install;
const registry = () => import("../registry");
let store: typeof TokenStore;
let appToken: typeof AppToken;
let config: typeof Config;
let evil: Server;
let evilHits = 0;

beforeAll(async () => {
  h = await startHarness();
  [A, B] = h.emu.portals.map((p) => p.memberId) as [string, string];
  install = await import("./install");
  store = await import("../store/token-store");
  appToken = await import("../tokens/app-token");
  config = await import("../config");
  evil = createServer((_req, res) => ((evilHits += 1), res.end("{}")));
  await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
});

afterAll(async () => {
  await new Promise<void>((r) => evil.close(() => r()));
  await h?.stop();
});

/** A real pair of another portal, obtained the way a browser sign-in would. */
async function signInTokens(portalUrl: string): Promise<{ access: string; refresh: string }> {
  const form = (data: Record<string, string>) => ({ method: "POST", redirect: "manual" as const, headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(data).toString() });
  const consent = await fetch(`${portalUrl}/oauth/authorize/`, form({ client_id: CLIENT.clientId, state: "s-0123456789abcdef", user: "1" }));
  const code = new URL(consent.headers.get("location")!).searchParams.get("code")!;
  const res = await fetch(`${h.emu.oauthUrl}/oauth/token/`, form({ grant_type: "authorization_code", client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code }));
  const t = (await res.json()) as { access_token: string; refresh_token: string };
  return { access: t.access_token, refresh: t.refresh_token };
}

const portalRow = (m: string) => h.db().portal.findUniqueOrThrow({ where: { memberId: m } });
const matches = async (m: string, token: string) => appToken.appTokenMatches(m, (await portalRow(m)).applicationToken, token, config.b24Config().ring);

describe("ONAPPINSTALL (no-UI install)", () => {
  it("stores the portal, the sealed application_token, the installer and the portal pair, then binds the app events", async () => {
    const { body, applicationToken } = await installNoUi(h, A);
    const posted = new URLSearchParams(body);
    const portal = await portalRow(A);
    expect(portal).toMatchObject({ status: "active", domain: h.emu.portals[0]!.host, clientEndpoint: `${h.emu.portals[0]!.url}/rest/`, serverEndpoint: `${h.emu.oauthUrl}/rest/`, installedBy: 1, uninstalledAt: null, lastEventName: "ONAPPINSTALL" });
    expect(portal.installedAt).toBeInstanceOf(Date);
    expect(portal.applicationToken).not.toContain(applicationToken);
    expect(await matches(A, applicationToken)).toBe(true);
    expect(await h.db().user.findUnique({ where: { memberId_bitrixUserId: { memberId: A, bitrixUserId: 1 } } })).toMatchObject({ isAdmin: true });
    const pair = await store.loadPair({ memberId: A, kind: "portal", bitrixUserId: 1 });
    expect(pair).toMatchObject({ accessToken: posted.get("auth[access_token]"), refreshToken: posted.get("auth[refresh_token]") });
    const bindings = (await h.emu.control.portal(A)).bindings.filter((b) => b.handler === h.eventsUrl).map((b) => b.event).sort();
    // The lifecycle events and the manifest's online ones (bitrix24.app.ts), plus the offline queue's signal; the
    // manifest's offline event is bound without a handler.
    expect(bindings).toEqual(["ONAPPPAYMENT", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONCRMDEALADD", "ONOFFLINEEVENT"]);
    expect((await h.emu.control.portal(A)).bindings.filter((b) => b.offline).map((b) => [b.event, b.handler])).toEqual([["ONCRMDEALUPDATE", ""]]);
    // The manifest's placement too, with every title; binding again changes nothing on the portal.
    const placements = (await h.emu.control.portal(A)).placements ?? [];
    expect(placements.map((p) => [p.placement, p.handler, p.langAll?.ru?.TITLE])).toEqual([["CRM_DEAL_DETAIL_TAB", h.eventsUrl.replace("/events", "/placement"), "Приложение-шаблон"]]);
    // And the manifest's robot, registered for the installer; registering again updates it in place.
    expect((await h.emu.control.robots(A)).map((r) => [r.code, r.handler, r.authUserId])).toEqual([["score_deal", h.eventsUrl.replace("/events", "/robot"), 1]]);
    expect(await install.bindAppEvents(A)).toEqual({ bound: [], already: [...(await registry()).boundEvents(), "ONCRMDEALUPDATE (offline)"], placements: { bound: [], kept: ["CRM_DEAL_DETAIL_TAB"], removed: [] }, robots: { added: [], updated: ["score_deal"], removed: [] } });
  });

  it("item 27: a posted client_endpoint / server_endpoint / domain is never called and never stored [#5][#27]", async () => {
    const { body } = await installNoUi(h, A);
    const evilRest = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/rest/`;
    for (const endpoint of [evilRest, "https://evil.example/rest/"]) {
      const forged = withAuth(body, { client_endpoint: endpoint, server_endpoint: endpoint, domain: new URL(endpoint).host });
      expect((await h.post(forged)).status).toBe(200);
      await h.settle();
      expect(await portalRow(A)).toMatchObject({ clientEndpoint: `${h.emu.portals[0]!.url}/rest/`, domain: h.emu.portals[0]!.host, serverEndpoint: `${h.emu.oauthUrl}/rest/` });
    }
    expect(evilHits).toBe(0);
  });

  it("item 26: tokens the OAuth server does not vouch for, or vouches for another portal, store nothing [#26]", async () => {
    const { body } = await installNoUi(h, A);
    const other = await h.emu.control.install(B, { noUi: false });
    await h.emu.control.finishInstall(B);
    const tokenOfB = await signInTokens(h.emu.portals[1]!.url);
    const before = await snapshot(h);
    const cases = [
      withAuth(body, { access_token: "f".repeat(70), application_token: "attacker-chosen-token-1" }),
      withAuth(body, { access_token: null }),
      withAuth(body, { refresh_token: null }),
      withAuth(body, { access_token: tokenOfB.access, refresh_token: tokenOfB.refresh, application_token: other.applicationToken }),
      withAuth(body, { member_id: B }),
    ];
    for (const forged of cases) {
      const res = await h.post(forged);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("forbidden");
    }
    await h.settle();
    expect(await snapshot(h)).toEqual(before);
    expect(await h.db().portal.findUnique({ where: { memberId: B } })).toBeNull();
  });

  it("item 28: the same ONAPPINSTALL delivered twice concurrently leaves one row and one consistent pair, both 2xx within 1 s [#28]", async () => {
    const { body } = await installNoUi(h, A);
    await h.db().portal.delete({ where: { memberId: A } });
    const posted = new URLSearchParams(body);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([h.post(body), h.post(body)]);
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.ms).toBeLessThan(1000);
      }
      await h.settle();
      expect(await h.db().portal.count({ where: { memberId: A } })).toBe(1);
      const pairs = await h.db().tokenPair.findMany({ where: { memberId: A, kind: "portal" } });
      expect(pairs).toHaveLength(1);
      expect(await store.loadPair({ memberId: A, kind: "portal", bitrixUserId: 1 })).toMatchObject({
        accessToken: posted.get("auth[access_token]"),
        refreshToken: posted.get("auth[refresh_token]"),
      });
      expect(await matches(A, posted.get("auth[application_token]")!)).toBe(true);
    }
  });

  it("answers 503 and stores nothing when the OAuth server cannot be asked", async () => {
    const { body } = await installNoUi(h, A);
    const before = await snapshot(h);
    await h.emu.control.addFault({ path: "/rest/app.info", kind: "status", status: 502, count: 1 });
    expect((await h.post(withAuth(body, { application_token: "a-new-token-0001" }))).status).toBe(503);
    expect(await snapshot(h)).toEqual(before);
  });
});

describe("ONAPPUPDATE", () => {
  it("stores the new application_token after verification and binds the app events again", async () => {
    const first = await installNoUi(h, A);
    const [delivery] = (await h.emu.control.update(A, { noUi: true })).deliveries;
    expect(delivery?.status).toBe(200);
    await h.settle();
    const now = (await h.emu.control.portal(A)).applicationToken;
    expect(await matches(A, now)).toBe(true);
    expect(await matches(A, first.applicationToken)).toBe(false);
    const rebound = (await h.emu.control.portal(A)).bindings.filter((b) => b.handler === h.eventsUrl).map((b) => b.event);
    expect(rebound.sort()).toEqual((await registry()).boundEvents().sort());
    const forged = withAuth(delivery!.body, { access_token: "0".repeat(70), application_token: "forged-update-token" });
    expect((await h.post(forged)).status).toBe(403);
    expect(await matches(A, now)).toBe(true);
  });
});
