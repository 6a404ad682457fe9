import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Config from "../config";
import type * as Refresh from "./refresh";
import type * as TokenStore from "../store/token-store";

/**
 * The database-backed token source against a scriptable OAuth server: race-aware invalid_grant, expired leases,
 * untrusted OAuth answers and blocked portals.
 */
const MEMBER = "cccc0000cccc0000cccc0000cccc0000";
const owner = { memberId: MEMBER, kind: "user" as const, bitrixUserId: 7 };
let oauth: Server;
let requests = 0;
/** What reached the OAuth server, as sent. */
const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
let answer: (body: URLSearchParams) => Promise<{ status: number; body: unknown }> = async () => ({ status: 500, body: {} });
let database: typeof Db;
let store: typeof TokenStore;
let refresh: typeof Refresh;
let config: typeof Config;
let cleanup = () => {};
let east = "";

const issued = (n: number, endpoint = "https://acme.bitrix24.com/rest/") => ({
  status: 200,
  body: { access_token: `access-${n}-xxxxxxxx`, refresh_token: `refresh-${n}-xxxxxxxx`, expires_in: 3600, member_id: MEMBER, client_endpoint: endpoint, scope: "crm", status: "L" },
});

beforeAll(async () => {
  oauth = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", async () => {
      requests++;
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: raw });
      const a = await answer(new URLSearchParams(raw));
      res.writeHead(a.status, { "content-type": "application/json" }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => oauth.listen(0, "127.0.0.1", r));
  const port = (oauth.address() as AddressInfo).port;
  // A second region's server: another configured origin (same test server; the Host header tells them apart).
  east = `http://localhost:${port}`;
  ({ cleanup } = useAppDatabase({
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    B24_OAUTH_SERVER: `http://127.0.0.1:${port}`,
    B24_OAUTH_SERVERS: `${east}|local.east|east-secret`,
  }));
  database = await import("@/lib/db");
  store = await import("../store/token-store");
  refresh = await import("./refresh");
  config = await import("../config");
});

afterAll(async () => {
  await database?.db().$disconnect();
  await new Promise<void>((r) => oauth.close(() => r()));
  cleanup();
});

beforeEach(async () => {
  requests = 0;
  received.length = 0;
  await database.db().portal.deleteMany({});
  await database.db().portal.create({ data: { memberId: MEMBER, domain: "acme.bitrix24.com", clientEndpoint: "https://acme.bitrix24.com/rest/", serverEndpoint: "x" } });
  // Expired, so the next current() must refresh.
  await store.storeIssuedPair({ ...owner, accessToken: "access-0-xxxxxxxx", refreshToken: "refresh-0-xxxxxxxx", expiresAt: new Date(Date.now() - 1000) });
});

const row = () => database.db().tokenPair.findFirstOrThrow({ where: { memberId: MEMBER } });
const portal = () => database.db().portal.findUniqueOrThrow({ where: { memberId: MEMBER } });

describe("DbTokenSource: the portal's own OAuth server", () => {
  it("refreshes at the server recorded for the portal, with that server's credentials", async () => {
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { oauthServer: east } });
    answer = async () => issued(1);
    expect((await new refresh.DbTokenSource(owner).current()).accessToken).toBe("access-1-xxxxxxxx");
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.host).toBe(new URL(east).host);
    expect(Object.fromEntries(new URLSearchParams(received[0]!.body))).toMatchObject({ grant_type: "refresh_token", client_id: "local.east", client_secret: "east-secret" });
  });

  it("a recorded server that is no longer configured gets nothing, and the pair is kept", async () => {
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { oauthServer: "https://oauth.bitrix24.tech" } });
    answer = async () => issued(1);
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "upstream_unavailable" });
    expect(requests).toBe(0);
    expect(await row()).toMatchObject({ status: "active", version: 1 });
  });
});

describe("DbTokenSource", () => {
  it("refreshes an expired pair once, commits it, and sends the refresh token only in the POST body", async () => {
    let sent: URLSearchParams | undefined;
    answer = async (body) => ((sent = body), issued(1));
    const creds = await new refresh.DbTokenSource(owner).current();
    expect(creds).toEqual({ clientEndpoint: "https://acme.bitrix24.com/rest/", accessToken: "access-1-xxxxxxxx" });
    expect(sent?.get("refresh_token")).toBe("refresh-0-xxxxxxxx");
    expect(sent?.get("grant_type")).toBe("refresh_token");
    expect((await row()).version).toBe(2);
    expect((await store.loadPair(owner))?.refreshToken).toBe("refresh-1-xxxxxxxx");
  });

  it("the refresh grant is one POST to the pinned OAuth server: no query string, no Authorization header, client_secret in the body [#5]", async () => {
    // The portal row's server_endpoint (from a callback or install event) names another host: it is never used.
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { serverEndpoint: "https://evil.example/rest/" } });
    answer = async () => issued(1);
    expect((await new refresh.DbTokenSource(owner).current()).accessToken).toBe("access-1-xxxxxxxx");
    expect(received).toHaveLength(1);
    const [grant] = received;
    expect(grant!.method).toBe("POST");
    expect(grant!.url).toBe("/oauth/token/");
    expect(grant!.headers.host).toBe(new URL(config.b24Config().servers[0].origin).host);
    expect(grant!.headers.authorization).toBeUndefined();
    expect(grant!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(grant!.body))).toEqual({
      grant_type: "refresh_token",
      client_id: "local.test",
      client_secret: "client-secret-canary",
      refresh_token: "refresh-0-xxxxxxxx",
    });
  });

  it("invalid_grant while the database already holds a newer pair: uses it and does not mark the pair dead [#36]", async () => {
    answer = async () => {
      // A sibling instance wrote a newer pair (e.g. after our lease expired) and spent the token we are using.
      const r = await row();
      const newer = { ...owner, accessToken: "access-9-xxxxxxxx", refreshToken: "refresh-9-xxxxxxxx", expiresAt: new Date(Date.now() + 3_600_000) };
      await database.db().tokenPair.update({ where: { id: r.id }, data: { ...store.pairToRow(newer, config.b24Config().ring), version: r.version + 1 } });
      return { status: 400, body: { error: "invalid_grant" } };
    };
    const creds = await new refresh.DbTokenSource(owner).current();
    expect(creds.accessToken).toBe("access-9-xxxxxxxx");
    expect((await row()).status).toBe("active");
  });

  it("invalid_grant with nothing newer: the pair is dead, later calls fail fast without any request [#41]", async () => {
    answer = async () => ({ status: 400, body: { error: "invalid_grant" } });
    const source = new refresh.DbTokenSource(owner);
    await expect(source.current()).rejects.toMatchObject({ code: "needs_reauth" });
    expect((await row()).status).toBe("needs_reauth");
    await expect(source.current()).rejects.toMatchObject({ code: "needs_reauth" });
    expect(requests).toBe(1);
  });

  it("a lease left by a dead process expires and is taken over once [#37]", async () => {
    const r = await row();
    await database.db().tokenPair.update({ where: { id: r.id }, data: { leaseOwner: "dead-instance", leaseUntil: new Date(Date.now() - 1) } });
    answer = async () => issued(2);
    expect((await new refresh.DbTokenSource(owner).current()).accessToken).toBe("access-2-xxxxxxxx");
    expect(requests).toBe(1);
    expect(await row()).toMatchObject({ leaseOwner: null, version: r.version + 1 });
  });

  it.each([
    "http://acme.bitrix24.com/rest/",
    "https://169.254.169.254/rest/",
    "https://intranet/rest/",
    "https://user@acme.bitrix24.com/rest/",
    "https://acme.bitrix24.com:8443/rest/",
    "https://10.0.0.1/rest/",
  ])("an OAuth answer with client_endpoint %s is refused: this pair is dead, nothing is called, the portal is flagged and its endpoint untouched [#23]", async (endpoint) => {
    answer = async () => issued(3, endpoint);
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "needs_reauth" });
    expect(await row()).toMatchObject({ status: "needs_reauth", lastError: "invalid_token_response" });
    expect(await portal()).toMatchObject({ status: "active", statusReason: "UNTRUSTED_ENDPOINT", clientEndpoint: "https://acme.bitrix24.com/rest/" });
    // The one request was the grant; the refused endpoint got none (the fetch stub sees every request).
    expect(requests).toBe(1);
  });

  it("the way out of a flagged endpoint: the next verified sign-in stores an acceptable endpoint and clears the flag [#23]", async () => {
    answer = async () => issued(3, "http://acme.bitrix24.com/rest/");
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "needs_reauth" });
    expect((await portal()).statusReason).toBe("UNTRUSTED_ENDPOINT");
    const { saveConnection } = await import("../store/connections");
    const cfg = config.b24Config();
    await saveConnection({
      memberId: MEMBER,
      vouched: { portalHost: "acme.bitrix24.com", clientEndpoint: "https://acme.bitrix24.com/rest/", scope: "crm", appStatus: "L", oauthServer: cfg.servers[0]!.origin },
      event: "sign_in",
      user: { bitrixUserId: owner.bitrixUserId, profile: { name: "Ivan", email: null, isAdmin: false } },
      pair: { kind: "user", accessToken: "access-new-xxxxxxxx", refreshToken: "refresh-new-xxxxxxxx", expiresAt: new Date(Date.now() + 3_600_000) },
    }, cfg);
    expect(await portal()).toMatchObject({ status: "active", statusReason: null });
    expect((await new refresh.DbTokenSource(owner).current()).accessToken).toBe("access-new-xxxxxxxx");
  });

  it("a dead pair is one user's problem: another pair of the same portal keeps working", async () => {
    answer = async () => ({ status: 400, body: { error: "invalid_grant" } });
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "needs_reauth" });
    const other = { ...owner, bitrixUserId: owner.bitrixUserId + 1 };
    await store.storeIssuedPair({ ...other, accessToken: "access-o-xxxxxxxx", refreshToken: "refresh-o-xxxxxxxx", expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await new refresh.DbTokenSource(other).current()).accessToken).toBe("access-o-xxxxxxxx");
    expect((await portal()).status).toBe("active");
  });

  it("storing a verified new pair over a dead one makes it usable again, without a request", async () => {
    answer = async () => ({ status: 400, body: { error: "invalid_grant" } });
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "needs_reauth" });
    await store.storeIssuedPair({ ...owner, accessToken: "access-new-xxxxxxxx", refreshToken: "refresh-new-xxxxxxxx", expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await row()).toMatchObject({ status: "active", lastError: null, refreshFailures: 0 });
    expect((await new refresh.DbTokenSource(owner).current()).accessToken).toBe("access-new-xxxxxxxx");
    expect(requests).toBe(1);
  });

  it("a refusal that arrives after a new pair was stored does not kill the new pair", async () => {
    answer = async () => {
      // The person signs in again while the old refresh token is being refused.
      await store.storeIssuedPair({ ...owner, accessToken: "access-new-xxxxxxxx", refreshToken: "refresh-new-xxxxxxxx", expiresAt: new Date(Date.now() + 3_600_000) });
      return { status: 400, body: { error: "invalid_grant" } };
    };
    const creds = await new refresh.DbTokenSource(owner).current();
    expect(creds.accessToken).toBe("access-new-xxxxxxxx");
    expect((await row()).status).toBe("active");
  });

  it("OAuth 5xx keeps the old pair and backs off instead of hammering the OAuth server [#38]", async () => {
    answer = async () => ({ status: 502, body: {} });
    const source = new refresh.DbTokenSource(owner, { random: () => 0.999 });
    await expect(source.current()).rejects.toMatchObject({ code: "upstream_unavailable" });
    for (let i = 0; i < 5; i++) await expect(source.current()).rejects.toMatchObject({ code: "upstream_unavailable", retryAfterSec: 2 });
    expect(requests).toBe(1);
    expect(await row()).toMatchObject({ status: "active", version: 1, refreshFailures: 1 });
    expect((await store.loadPair(owner))?.refreshToken).toBe("refresh-0-xxxxxxxx");
  });

  it("the refresh backoff is 2^failures s with equal jitter (half to all of it), capped at MAX_BACKOFF_SEC [#38]", () => {
    const { refreshBackoffMs, MAX_BACKOFF_SEC } = refresh;
    expect(MAX_BACKOFF_SEC).toBe(60);
    for (let failures = 1; failures <= 12; failures++) {
      const ceilingMs = Math.min(MAX_BACKOFF_SEC, 2 ** failures) * 1000;
      const waits = [0, 0.25, 0.5, 0.75, 0.999].map((f) => refreshBackoffMs(failures, f));
      expect(waits[0], `${failures} failures`).toBe(ceilingMs / 2);
      expect(waits.at(-1), `${failures} failures`).toBeGreaterThan(ceilingMs * 0.99);
      expect(Math.max(...waits), `${failures} failures`).toBeLessThanOrEqual(ceilingMs);
      // Jitter: the wait moves with the random fraction, strictly.
      for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]!);
    }
    for (const failures of [6, 7, 30, 1000]) expect(refreshBackoffMs(failures, 0.999)).toBeLessThanOrEqual(60_000);
    // The default jitter: the same failure of the same pair gives every caller the same fraction; different failures
    // spread over [0, 1).
    const fractions = Array.from({ length: 2_000 }, (_, i) => refresh.failureJitter(`pair|${i}|1700000000000`));
    expect(refresh.failureJitter("pair|7|1700000000000")).toBe(fractions[7]);
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fractions)).toBeLessThan(1);
    for (let decile = 0; decile < 10; decile++) {
      const inDecile = fractions.filter((f) => Math.floor(f * 10) === decile).length;
      expect(inDecile, `decile ${decile}`).toBeGreaterThan(120);
    }
  });

  it("after failed refreshes the next grant waits the jittered, capped backoff: not sooner, and never more than the cap [#38]", async () => {
    const failedAgo = async (failures: number, agoMs: number) => {
      const r = await row();
      await database.db().tokenPair.update({ where: { id: r.id }, data: { refreshFailures: failures, lastError: "oauth_unavailable", updatedAt: new Date(Date.now() - agoMs) } });
    };
    answer = async () => issued(5);
    const seeds: string[] = [];
    const jitter = (fraction: number) => (seed: string) => (seeds.push(seed), fraction);
    // 3 failures: the wait is 4 s to 8 s depending on the jitter. 5 s after the failure, a high draw still waits...
    await failedAgo(3, 5_000);
    await expect(new refresh.DbTokenSource(owner, { random: jitter(0.99) }).current()).rejects.toMatchObject({ code: "upstream_unavailable", retryAfterSec: 3 });
    expect(requests).toBe(0);
    expect(seeds.at(-1)).toMatch(/\|3\|\d+$/);
    // ...and a low draw goes ahead.
    expect((await new refresh.DbTokenSource(owner, { random: jitter(0) }).current()).accessToken).toBe("access-5-xxxxxxxx");
    expect(requests).toBe(1);
    expect(await row()).toMatchObject({ status: "active", refreshFailures: 0 });

    // 30 failures: uncapped this would be 2^30 s; capped, 25 s after the failure a low draw (30 s) waits 5 s more...
    await database.db().tokenPair.update({ where: { id: (await row()).id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await failedAgo(30, 25_000);
    await expect(new refresh.DbTokenSource(owner, { random: jitter(0) }).current()).rejects.toMatchObject({ code: "upstream_unavailable", retryAfterSec: 5 });
    // ...and 61 s after it even the highest draw goes ahead.
    await failedAgo(30, 61_000);
    answer = async () => issued(6);
    expect((await new refresh.DbTokenSource(owner, { random: jitter(0.999) }).current()).accessToken).toBe("access-6-xxxxxxxx");
    expect(requests).toBe(2);
  });

  it.each([
    ["blocked", "portal_blocked"],
    ["uninstalled", "portal_uninstalled"],
  ])("a %s portal short-circuits with zero network traffic", async (status, code) => {
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { status } });
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code });
    expect(requests).toBe(0);
  });

  it("a probe (recheck.ts) may go through a blocked portal, never an uninstalled one", async () => {
    answer = async () => issued(4);
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { status: "blocked" } });
    expect((await new refresh.DbTokenSource(owner, { probe: true }).current()).accessToken).toBe("access-4-xxxxxxxx");
    await database.db().portal.update({ where: { memberId: MEMBER }, data: { status: "uninstalled" } });
    await expect(new refresh.DbTokenSource(owner, { probe: true }).current()).rejects.toMatchObject({ code: "portal_uninstalled" });
  });

  it("PAYMENT_REQUIRED from the OAuth server blocks the portal but keeps the pair", async () => {
    answer = async () => ({ status: 401, body: { error: "PAYMENT_REQUIRED", error_description: "Payment required" } });
    await expect(new refresh.DbTokenSource(owner).current()).rejects.toMatchObject({ code: "payment_required" });
    expect(await portal()).toMatchObject({ status: "blocked", statusReason: "PAYMENT_REQUIRED" });
    expect(await row()).toMatchObject({ status: "active", lastError: "payment_required" });
  });
});
