import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LogEntry } from "@/e2e/emulator";
import type { PortalSession } from "@/lib/auth";
import { getPortalSession } from "@/lib/auth";
import { CLIENT, installNoUi, startHarness, type Harness } from "@/test/event-harness";
import type * as Clients from "./clients";
import type * as Proxy from "./proxy";
import type * as SignIn from "./oauth/sign-in";
import type * as OAuth from "./oauth/oauth";
import type * as Config from "./config";
import type * as TokenStore from "./store/token-store";

/**
 * The app's REST clients as they run in production: the real session token source and proxy, the pairs and portal
 * rows in a temp database, and the emulator as the portals and the OAuth server, whose request log is the evidence
 * of which host got which token. Only next-auth's session cookie is replaced (getPortalSession returns a session).
 */
vi.mock("@/lib/auth", () => ({ getPortalSession: vi.fn() }));

let h: Harness;
let A: string;
let B: string;
let C: string;
let clients: typeof Clients;
let proxy: typeof Proxy;
let signIn: typeof SignIn;
let oauth: typeof OAuth;
let config: typeof Config;
let store: typeof TokenStore;

beforeAll(async () => {
  h = await startHarness(3);
  [A, B, C] = h.emu.portals.map((p) => p.memberId) as [string, string, string];
  clients = await import("./clients");
  proxy = await import("./proxy");
  signIn = await import("./oauth/sign-in");
  oauth = await import("./oauth/oauth");
  config = await import("./config");
  store = await import("./store/token-store");
  for (const m of [A, B, C]) await installNoUi(h, m);
  // Maria (user 2, not an administrator) signs in on A and on B: each has a pair of her own there.
  for (const m of [A, B]) await signInUser(m, 2);
});

afterAll(async () => {
  await h?.stop();
});

const portalOf = (memberId: string) => h.emu.portals.find((p) => p.memberId === memberId)!;
const portalRow = (memberId: string) => h.db().portal.findUniqueOrThrow({ where: { memberId } });
const session = (memberId: string, bitrixUserId: number, isAdmin: boolean): PortalSession => ({
  memberId, portalHost: portalOf(memberId).host, bitrixUserId, isAdmin, name: `User ${bitrixUserId}`,
});
/** The access token the database holds for a pair, decrypted. */
const tokenOf = async (memberId: string, kind: "user" | "portal", bitrixUserId: number) => (await store.loadPair({ memberId, kind, bitrixUserId }))!.accessToken;
const authOf = (entry: LogEntry) => (JSON.parse(entry.body) as { auth?: string }).auth;
const since = async (seq: number) => (await h.emu.control.log(seq)).filter((l) => l.server === "oauth" || l.path.startsWith("/rest/"));

/** The standalone sign-in without the browser: the portal's consent form, the code grant, the profile read, the store. */
async function signInUser(memberId: string, userId: number): Promise<void> {
  const res = await fetch(`${portalOf(memberId).url}/oauth/authorize/`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: CLIENT.clientId, state: "s".repeat(20), user: String(userId) }).toString(),
  });
  const code = new URL(res.headers.get("location") ?? "http://x/").searchParams.get("code");
  if (res.status !== 302 || !code) throw new Error(`consent failed: ${res.status}`);
  const cfg = config.b24Config();
  const tokens = await oauth.requestToken({ grant: "authorization_code", code }, cfg, cfg.servers[0]);
  await signIn.persistSignIn(tokens, await signIn.fetchProfile(tokens));
}

/** The browser's call to /api/b24/{method} as `who`, with extra request headers. */
function proxied(who: PortalSession, method: string, params: unknown, headers: Record<string, string> = {}, query = ""): Promise<Response> {
  vi.mocked(getPortalSession).mockResolvedValue(who);
  return proxy.proxyCall(
    new Request(`${h.appUrl}/api/b24/${method}${query}`, {
      method: "POST",
      headers: { origin: h.appUrl, "sec-fetch-site": "same-origin", "content-type": "application/json", "x-b24-proxy": "1", ...headers },
      body: JSON.stringify(params),
    }),
    method,
  );
}

describe("the proxy acts only for the session's portal", () => {
  it("a request naming the other portal (member_id, domain, headers, query) goes once to the session's portal with its user's token; B's session goes to B with B's token [#17]", async () => {
    const cases = [
      { who: session(A, 2, false), own: A, other: B },
      { who: session(B, 2, false), own: B, other: A },
    ];
    for (const { who, own, other } of cases) {
      const o = portalOf(other);
      const seq = await h.lastSeq();
      const res = await proxied(
        who,
        "crm.deal.list",
        { member_id: other, domain: o.host, DOMAIN: o.host, client_endpoint: `${o.url}/rest/`, select: ["ID"] },
        { "x-b24-member-id": other, "x-portal": o.host, "x-b24-domain": o.host, "x-forwarded-host": o.host },
        `?member_id=${other}&DOMAIN=${encodeURIComponent(o.host)}`,
      );
      expect(res.status, own).toBe(200);
      const log = await since(seq);
      // Exactly one request: to the session portal's stored client_endpoint, with that portal's user's own token.
      expect(log.map((l) => `${l.server} ${l.host} ${l.path}`), own).toEqual([`portal ${portalOf(own).host} /rest/crm.deal.list`]);
      expect((await portalRow(own)).clientEndpoint).toBe(`${portalOf(own).url}/rest/`);
      expect(authOf(log[0]!)).toBe(await tokenOf(own, "user", 2));
      // Not the other portal's token for the same user id, and nothing reached the other portal.
      expect(log[0]!.body).not.toContain(await tokenOf(other, "user", 2));
      expect(log[0]!.body).not.toContain(await tokenOf(other, "portal", 1));
      expect((await h.emu.control.log(seq)).filter((l) => l.host === o.host)).toHaveLength(0);
    }
  });
});

describe("a non-administrator acts with their own token", () => {
  it.each([
    ["app.option.set", { options: { theme: "dark" } }],
    ["placement.bind", { PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: "https://app.example/tab", TITLE: "x" }],
  ])("%s as a non-admin: one request with their own token, ACCESS_DENIED reaches the caller, no retry with the installer's token [#24]", async (method, params) => {
    const own = await tokenOf(A, "user", 2);
    const installer = await tokenOf(A, "portal", 1);
    expect(own).not.toBe(installer);
    const before = await h.emu.control.portal(A);
    const seq = await h.lastSeq();
    await expect(clients.userClient(session(A, 2, false)).call(method, params)).rejects.toMatchObject({
      code: "forbidden", upstream: "ACCESS_DENIED", upstreamStatus: 403,
    });
    const log = await since(seq);
    // One request, no refresh, no second attempt with anybody else's pair.
    expect(log.map((l) => `${l.server} ${l.path} ${l.status}`)).toEqual([`portal /rest/${method} 403`]);
    expect(authOf(log[0]!)).toBe(own);
    expect((await h.emu.control.log(seq)).some((l) => l.body.includes(installer))).toBe(false);
    // Nothing changed in the portal, and a method-level refusal does not block the portal.
    const after = await h.emu.control.portal(A);
    expect({ options: after.appOptions, placements: after.placements }).toEqual({ options: before.appOptions, placements: before.placements });
    expect(await portalRow(A)).toMatchObject({ status: "active" });

    // The same call by the administrator who installed the app is made with the installer's pair and succeeds:
    // the refusal above was about the user's rights, not the method.
    const seq2 = await h.lastSeq();
    await expect(clients.userClient(session(A, 1, true)).call(method, params)).resolves.toMatchObject({ result: expect.anything() });
    const admin = await since(seq2);
    expect(admin.map((l) => `${l.server} ${l.path} ${l.status}`)).toEqual([`portal /rest/${method} 200`]);
    expect(authOf(admin[0]!)).toBe(installer);
  });

  it("a non-admin without a pair of their own is refused before any request, though the installer's pair is there [#24]", async () => {
    expect(await store.loadPair({ memberId: C, kind: "portal", bitrixUserId: 1 })).toBeTruthy();
    for (const who of [session(C, 2, false), session(C, 1, false)]) {
      const seq = await h.lastSeq();
      await expect(clients.userClient(who).call("app.option.set", { options: { theme: "dark" } })).rejects.toMatchObject({ code: "needs_reauth" });
      expect(await h.lastSeq()).toBe(seq);
    }
  });
});

describe("a portal's 302 (renamed portal)", () => {
  it("is not followed with the token: one refresh, the OAuth server's new client_endpoint is stored on the portal row, and only that is retried, once [#22]", async () => {
    const old = portalOf(C).url;
    expect((await portalRow(C)).clientEndpoint).toBe(`${old}/rest/`);
    const moved = await h.emu.control.rename(C);
    const seq = await h.lastSeq();
    const res = await proxied(session(C, 1, true), "crm.deal.list", { select: ["ID"] });
    expect(res.status).toBe(200);
    const log = await since(seq);
    const oldHost = new URL(old).host;
    expect(log.map((l) => `${l.server} ${l.host === moved.host ? "new" : l.host === oldHost ? "old" : l.host} ${l.path} ${l.status}`)).toEqual([
      "portal old /rest/crm.deal.list 302",
      `oauth ${new URL(h.emu.oauthUrl).host} /oauth/token/ 200`,
      "portal new /rest/crm.deal.list 200",
    ]);
    // The old token went only to the old host; the new host saw only the refreshed token, the one now stored.
    const stale = authOf(log[0]!)!;
    expect((await h.emu.control.log(seq)).filter((l) => l.host === moved.host).some((l) => l.body.includes(stale))).toBe(false);
    expect(authOf(log[2]!)).toBe(await tokenOf(C, "portal", 1));
    expect(authOf(log[2]!)).not.toBe(stale);
    // The portal row now holds the OAuth server's client_endpoint (and host), so later calls go there directly.
    expect(await portalRow(C)).toMatchObject({ clientEndpoint: `${moved.url}/rest/`, domain: moved.host, status: "active" });
    const seq2 = await h.lastSeq();
    expect((await proxied(session(C, 1, true), "crm.deal.list", { select: ["ID"] })).status).toBe(200);
    expect((await since(seq2)).map((l) => `${l.server} ${l.host} ${l.status}`)).toEqual([`portal ${moved.host} 200`]);
  });

  it("a 302 to a host the OAuth server does not vouch for is neither followed nor stored [#22]", async () => {
    const before = await portalRow(C);
    const target = portalOf(A);
    await h.emu.control.addFault({
      path: "/rest/crm.deal.list", kind: "status", status: 302, host: portalOf(C).host,
      headers: { location: `${target.url}/rest/crm.deal.list` }, body: "Moved",
    });
    const seq = await h.lastSeq();
    const res = await proxied(session(C, 1, true), "crm.deal.list", { select: ["ID"] });
    expect(res.status).toBe(503);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.json()).toMatchObject({ upstream: "PORTAL_MOVED" });
    const log = await since(seq);
    // The refresh reported the same client_endpoint, so nothing was retried and the Location was never requested.
    expect(log.map((l) => `${l.server} ${l.path} ${l.status}`)).toEqual(["portal /rest/crm.deal.list 302", "oauth /oauth/token/ 200"]);
    expect((await h.emu.control.log(seq)).filter((l) => l.host === target.host)).toHaveLength(0);
    expect(await portalRow(C)).toMatchObject({ clientEndpoint: before.clientEndpoint, domain: before.domain, status: "active" });
  });
});

describe("Bitrix24 refuses the whole portal", () => {
  const refusals: Array<[string, string, number, () => Promise<unknown>, () => Promise<unknown>]> = [
    [
      "a plan-level ACCESS_DENIED (401)", "ACCESS_DENIED", 401,
      () => h.emu.control.addFault({
        path: "/rest/user.current", kind: "status", status: 401, host: portalOf(A).host,
        body: { error: "ACCESS_DENIED", error_description: "REST is available only on commercial plans." },
      }),
      async () => {},
    ],
    ["PORTAL_DELETED", "PORTAL_DELETED", 403, () => h.emu.control.setPortalState(A, { deleted: true }), () => h.emu.control.setPortalState(A, { deleted: false })],
  ];

  it.each(refusals)("%s blocks the portal row; later calls by anyone of that portal send nothing until a verified reinstall makes it usable [#41]", async (_what, upstream, status, refuse, restore) => {
    expect(await portalRow(A)).toMatchObject({ status: "active" });
    await refuse();
    const seq = await h.lastSeq();
    await expect(clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current")).rejects.toMatchObject({ upstream, upstreamStatus: status });
    expect((await since(seq)).map((l) => `${l.server} ${l.path} ${l.status}`)).toEqual([`portal /rest/user.current ${status}`]);
    expect(await portalRow(A)).toMatchObject({ status: "blocked", statusReason: upstream });

    // Background work, the non-admin's own pair and the proxy, even with expired access tokens: each fails fast, and
    // neither the portal nor the OAuth server sees a request.
    const quiet = await h.lastSeq();
    await expect(clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current")).rejects.toMatchObject({ code: "portal_blocked" });
    await expect(clients.userClient(session(A, 2, false)).call("crm.deal.list")).rejects.toMatchObject({ code: "portal_blocked" });
    const refused = await proxied(session(A, 2, false), "crm.deal.list", {});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "portal_blocked" });
    await h.emu.control.expireTokens();
    await expect(clients.userClient(session(A, 1, true)).call("profile")).rejects.toMatchObject({ code: "portal_blocked" });
    await expect(clients.userClient(session(A, 2, false)).call("profile")).rejects.toMatchObject({ code: "portal_blocked" });
    expect(await h.lastSeq()).toBe(quiet);
    // Another portal is not affected.
    await expect(clients.userClient(session(B, 2, false)).call("profile")).resolves.toBeTruthy();

    // The way back: a verified reinstall.
    await restore();
    await installNoUi(h, A);
    expect(await portalRow(A)).toMatchObject({ status: "active", statusReason: null });
    await expect(clients.clientFor({ memberId: A, kind: "portal", bitrixUserId: 1 }).call("user.current")).resolves.toMatchObject({ result: expect.anything() });
  });
});
