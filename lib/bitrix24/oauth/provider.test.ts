import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { B24Config } from "../config";
import { bitrix24Provider } from "./provider";
import type { RateLimiter } from "../ports";
import { exchangeCallback, fetchProfile, portalAuthorizeUrl } from "./sign-in";
import { bindState } from "./state";
import { useLoopbackEnv } from "@/test/loopback-env";

useLoopbackEnv();

/**
 * Two tiny hostile-capable token endpoints (two configured OAuth servers, two regions): each records what the app
 * sent and answers what the test says.
 */
type Seen = Array<{ method: string; url: string; body: string; headers: IncomingMessage["headers"] }>;
let server: Server;
let server2: Server;
let oauth = "";
let oauth2 = "";
const seen: Seen = [];
const seen2: Seen = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.on("data", (c) => (s += c));
    req.on("end", () => resolve(s));
  });
}

async function tokenServer(log: Seen): Promise<[Server, string]> {
  const srv = createServer(async (req, res) => {
    log.push({ method: req.method ?? "", url: req.url ?? "", body: await readBody(req), headers: req.headers });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return [srv, `http://127.0.0.1:${(srv.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  [server, oauth] = await tokenServer(seen);
  [server2, oauth2] = await tokenServer(seen2);
});
afterAll(() => Promise.all([server, server2].map((s) => new Promise<void>((r) => s.close(() => r())))));
beforeEach(() => {
  seen.length = 0;
  seen2.length = 0;
});

const SERVER_2 = () => ({ origin: oauth2, clientId: "local.east.2", clientSecret: "east-secret-2" });
const cfg = (second = SERVER_2()): B24Config => ({
  servers: [{ origin: oauth, clientId: "local.test.1", clientSecret: "top-secret-client" }, second],
  hostPolicy: { portalHosts: "^127\\.0\\.0\\.1:\\d+$", allowHttpLoopback: true },
  ring: { keys: [{ kid: "k1", key: Buffer.alloc(32, 1) }] },
  stateKey: Buffer.from("s".repeat(32)),
  rateLimit: { burst: 50, perSec: 2 },
});

const PORTAL = "127.0.0.1:7001";
const STATE = "nextauthStateValue_0123456789";
const goodTokens = {
  access_token: "access-canary-0001",
  refresh_token: "refresh-canary-0001",
  expires_in: 3600,
  member_id: "a223c6b3710f85df22e9377d6c4f7553",
  client_endpoint: `http://${PORTAL}/rest/`,
  server_endpoint: "http://127.0.0.1:7000/rest/",
  domain: "127.0.0.1:7000",
  scope: "crm,user",
  status: "L",
  user_id: 1,
};
const callback = (over: Record<string, string> = {}) => ({
  code: "code-1",
  state: bindState(STATE, { host: PORTAL, server: oauth }, cfg().stateKey),
  domain: PORTAL,
  member_id: goodTokens.member_id,
  ...over,
});

describe("provider configuration (static)", () => {
  const provider = () => bitrix24Provider(cfg(), "https://app.example.com/");
  it("keeps next-auth's state check on and never disables checks [#9]", () => {
    expect(provider().checks).toEqual(["state"]);
  });
  it("authenticates to the token endpoint with client_secret_post at the pinned OAuth server [#9]", () => {
    const p = provider();
    expect(p.client?.token_endpoint_auth_method).toBe("client_secret_post");
    expect(typeof p.token === "object" && p.token.url).toBe(`${oauth}/oauth/token/`);
    expect(typeof p.authorization === "object" && p.authorization.url).toBe("https://app.example.com/api/b24/authorize");
  });
});

describe("portalAuthorizeUrl", () => {
  it("sends the browser to the chosen portal with only client_id and a portal-bound state", () => {
    const q = new URLSearchParams({ client_id: "local.test.1", state: STATE, portal: PORTAL, redirect_uri: "https://evil.example/cb", scope: "x" });
    const url = new URL(portalAuthorizeUrl(q, cfg()));
    expect(url.origin).toBe(`http://${PORTAL}`);
    expect(url.pathname).toBe("/oauth/authorize/");
    expect([...url.searchParams.keys()].sort()).toEqual(["client_id", "state"]);
    expect(url.searchParams.get("state")).toBe(bindState(STATE, { host: PORTAL, server: oauth }, cfg().stateKey));
    expect(url.searchParams.get("client_id")).toBe("local.test.1");
  });
  it("a region the person picked selects a configured server: its client_id goes to the portal, and the state binds it", () => {
    const q = new URLSearchParams({ client_id: "local.test.1", state: STATE, portal: PORTAL, server: oauth2 });
    const url = new URL(portalAuthorizeUrl(q, cfg()));
    expect(url.searchParams.get("client_id")).toBe("local.east.2");
    expect(url.searchParams.get("state")).toBe(bindState(STATE, { host: PORTAL, server: oauth2 }, cfg().stateKey));
  });
  it.each(["https://evil.example", "127.0.0.1:1", `${oauth}.evil.example`, ""])("a server hint %j naming no configured server falls back to the default", (hint) => {
    const q = new URLSearchParams({ client_id: "local.test.1", state: STATE, portal: PORTAL, server: hint });
    const url = new URL(portalAuthorizeUrl(q, cfg()));
    expect(url.searchParams.get("client_id")).toBe("local.test.1");
    expect(url.searchParams.get("state")).toBe(bindState(STATE, { host: PORTAL, server: oauth }, cfg().stateKey));
  });
  it.each([
    [{ portal: "evil.example" }, /not one of the portals this app accepts.*B24_PORTAL_HOSTS/],
    [{ portal: "" }, /Enter your Bitrix24 address/],
    [{ client_id: "other" }, /Start sign-in/],
    [{ state: "" }, /Start sign-in/],
  ])("refuses %j", (over, message) => {
    const q = new URLSearchParams({ client_id: "local.test.1", state: STATE, portal: PORTAL, ...over });
    expect(() => portalAuthorizeUrl(q, cfg())).toThrow(message);
  });
});

describe("exchangeCallback", () => {
  it("POSTs the code with the secret in the form body (never the URL) and returns the checked pair [#5]", async () => {
    answer = { status: 200, body: goodTokens };
    const t = await exchangeCallback(callback({ server_domain: "evil.example", server_endpoint: "https://evil.example/rest/" }), STATE, cfg());
    expect(t).toMatchObject({ accessToken: "access-canary-0001", memberId: goodTokens.member_id, portalHost: PORTAL, bitrixUserId: 1, oauthServer: oauth });
    expect(seen).toHaveLength(1);
    expect(seen2).toHaveLength(0);
    expect(seen[0]!.method).toBe("POST");
    expect(seen[0]!.url).toBe("/oauth/token/");
    // client_secret_post only: no Authorization header of any scheme (Basic or other), the form is the only credential.
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      grant_type: "authorization_code",
      client_id: "local.test.1",
      client_secret: "top-secret-client",
      code: "code-1",
    });
  });

  it.each([
    ["a missing state cookie", () => callback(), undefined, "invalid_state"],
    ["a state from another browser", () => callback(), "someOtherBrowserState_000000", "invalid_state"],
    ["a forged state", () => callback({ state: `${STATE}.x.y` }), STATE, "invalid_state"],
    ["a state bound to another portal", () => callback({ state: bindState(STATE, { host: "127.0.0.1:9999", server: oauth }, cfg().stateKey) }), STATE, "portal_mismatch"],
    ["a state bound to a server no longer configured", () => callback({ state: bindState(STATE, { host: PORTAL, server: "http://127.0.0.1:1" }, cfg().stateKey) }), STATE, "invalid_state"],
    ["a domain other than the chosen portal", () => callback({ domain: "127.0.0.1:9999" }), STATE, "portal_mismatch"],
  ])("refuses %s without calling the OAuth server [#1][#2][#4]", async (_name, params, cookie, code) => {
    await expect(exchangeCallback(params(), cookie, cfg())).rejects.toMatchObject({ name: "B24Error", code });
    expect(seen).toHaveLength(0);
    expect(seen2).toHaveLength(0);
  });

  it("a flow bound to the second region exchanges the code there, with that region's credentials; the default hears nothing", async () => {
    answer = { status: 200, body: goodTokens };
    const t = await exchangeCallback(callback({ state: bindState(STATE, { host: PORTAL, server: oauth2 }, cfg().stateKey), server_domain: new URL(oauth2).host }), STATE, cfg());
    expect(t.oauthServer).toBe(oauth2);
    expect(seen).toHaveLength(0);
    expect(seen2).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(seen2[0]!.body))).toMatchObject({ client_id: "local.east.2", client_secret: "east-secret-2", code: "code-1" });
  });

  it("a server_domain naming a configured server registered with another client_id does not move the exchange there", async () => {
    answer = { status: 200, body: goodTokens };
    const t = await exchangeCallback(callback({ server_domain: new URL(oauth2).host }), STATE, cfg());
    expect(t.oauthServer).toBe(oauth);
    expect(seen).toHaveLength(1);
    expect(seen2).toHaveLength(0);
  });

  it("a server_domain naming a configured server that shares the registration selects it (the code was issued there)", async () => {
    answer = { status: 200, body: goodTokens };
    const shared = cfg({ origin: oauth2, clientId: "local.test.1", clientSecret: "top-secret-client" });
    const t = await exchangeCallback(callback({ server_domain: new URL(oauth2).host }), STATE, shared);
    expect(t.oauthServer).toBe(oauth2);
    expect(seen).toHaveLength(0);
    expect(seen2).toHaveLength(1);
  });

  it("refuses a token answer for another member_id or another portal host [#4]", async () => {
    answer = { status: 200, body: { ...goodTokens, member_id: "ffffffffffffffffffffffffffffffff" } };
    await expect(exchangeCallback(callback(), STATE, cfg())).rejects.toMatchObject({ code: "portal_mismatch" });
    answer = { status: 200, body: { ...goodTokens, client_endpoint: "http://127.0.0.1:9999/rest/" } };
    await expect(exchangeCallback(callback(), STATE, cfg())).rejects.toMatchObject({ code: "portal_mismatch" });
  });

  it.each([
    ["an https-less foreign endpoint", { ...goodTokens, client_endpoint: "http://evil.example/rest/" }, 200, "invalid_token_response"],
    ["a missing refresh token", { ...goodTokens, refresh_token: undefined }, 200, "invalid_token_response"],
    ["invalid_grant", { error: "invalid_grant" }, 400, "invalid_grant"],
    ["wrong_client (HTTP 200)", { error: "wrong_client" }, 200, "oauth_client_rejected"],
    ["invalid_client", { error: "invalid_client" }, 400, "oauth_client_rejected"],
    ["a 500", { error: "internal" }, 500, "oauth_unavailable"],
  ])("classifies %s", async (_name, body, status, code) => {
    answer = { status, body };
    await expect(exchangeCallback(callback(), STATE, cfg())).rejects.toMatchObject({ code });
  });

  it("never puts a secret into an error message [#34]", async () => {
    answer = { status: 400, body: { error: "invalid_grant", error_description: "bad code-1" } };
    const err = await exchangeCallback(callback(), STATE, cfg()).catch((e: Error) => e);
    expect(String(err)).not.toMatch(/top-secret-client|code-1/);
  });
});

describe("fetchProfile", () => {
  const issued = () => ({
    accessToken: "access-canary-0001",
    refreshToken: "refresh-canary-0001",
    expiresAt: new Date(Date.now() + 3600_000),
    memberId: goodTokens.member_id,
    portalHost: PORTAL,
    clientEndpoint: `${oauth}/rest/`,
    scope: "crm,user",
    appStatus: "L",
    bitrixUserId: 1,
  });

  it("takes a slot in the portal's bucket before it sends the profile request", async () => {
    answer = { status: 200, body: { result: { result: { profile: { ID: "1", NAME: "Ivan", LAST_NAME: "Petrov", ADMIN: true }, user: { EMAIL: "ivan@example.test" } } } } };
    const asked: string[] = [];
    const open: RateLimiter = { acquire: async (memberId) => void asked.push(memberId) };
    await expect(fetchProfile(issued(), open)).resolves.toMatchObject({ bitrixUserId: 1, name: "Ivan Petrov", email: "ivan@example.test", isAdmin: true });
    expect(asked).toEqual([goodTokens.member_id]);
    expect(seen.map((r) => r.url)).toEqual(["/rest/batch"]);

    seen.length = 0;
    const closed: RateLimiter = { acquire: () => Promise.reject(new Error("no slot")) };
    await expect(fetchProfile(issued(), closed)).rejects.toThrow("no slot");
    expect(seen).toEqual([]);
  });
});
