import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { B24Config } from "../config";
import { useLoopbackEnv } from "@/test/loopback-env";
import { defaultServer, matchServer, portalServer, selectServer } from "./servers";
import { verifyAccessToken } from "./verify";

useLoopbackEnv();

const WEST = { origin: "https://oauth.bitrix.info", clientId: "app.west", clientSecret: "west-secret" };
const EAST = { origin: "https://oauth.bitrix24.tech", clientId: "app.east", clientSecret: "east-secret" };
const base = { hostPolicy: { portalHosts: "^127\\.0\\.0\\.1:\\d+$", allowHttpLoopback: true }, ring: { keys: [] }, stateKey: Buffer.alloc(32), rateLimit: { burst: 50, perSec: 2 } };
const two = { ...base, servers: [WEST, EAST] } as B24Config;

describe("server selection: a hint only selects among the configured servers", () => {
  it.each([
    ["https://oauth.bitrix24.tech/rest/", EAST],
    ["https://OAUTH.bitrix24.tech/rest/", EAST],
    ["oauth.bitrix24.tech", EAST],
    ["https://oauth.bitrix.info/rest/", WEST],
    ["oauth.bitrix.info", WEST],
  ])("%s selects %s", (hint, server) => {
    expect(matchServer(two, hint)).toBe(server);
    expect(selectServer(two, hint)).toBe(server);
  });

  it.each([
    "https://evil.example/rest/", "evil.example", "http://oauth.bitrix24.tech/rest/", "https://oauth.bitrix24.tech:8443/rest/",
    "https://oauth.bitrix24.tech.evil.example/rest/", "https://oauth.bitrix24.info/rest/", "", "x".repeat(3000), null, undefined,
  ])("%j names no configured server: the default", (hint) => {
    expect(matchServer(two, hint)).toBeNull();
    expect(selectServer(two, hint)).toBe(WEST);
  });

  it("a portal uses its recorded server, the default when none is recorded, and never another one when it is gone", () => {
    expect(portalServer(two, EAST.origin)).toBe(EAST);
    expect(portalServer(two, null)).toBe(defaultServer(two));
    expect(() => portalServer({ ...two, servers: [WEST] } as B24Config, EAST.origin)).toThrow(/no longer configured.*B24_OAUTH_SERVERS/);
  });
});

/** Two local servers play a configured OAuth server and a host that a hint names but nobody configured. */
describe("verifyAccessToken with a hinted server", () => {
  let configured: Server;
  let stranger: Server;
  const hits = { configured: 0, stranger: 0 };
  const urls = { configured: "", stranger: "" };
  const start = (name: keyof typeof hits) => {
    const srv = createServer((_req, res) => {
      hits[name]++;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ result: { client_id: "app.local", scope: "crm", user_id: "1", install: { installed: true, member_id: "m1", client_endpoint: "https://crm.acme.example/rest/", status: "P" } } }),
      );
    });
    return new Promise<Server>((r) => srv.listen(0, "127.0.0.1", () => r(srv)));
  };
  beforeAll(async () => {
    configured = await start("configured");
    stranger = await start("stranger");
    urls.configured = `http://127.0.0.1:${(configured.address() as AddressInfo).port}`;
    urls.stranger = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
  });
  afterAll(() => Promise.all([configured, stranger].map((s) => new Promise((r) => s.close(r)))));
  beforeEach(() => {
    hits.configured = 0;
    hits.stranger = 0;
  });

  it("a hint naming an unconfigured server never causes a request to it; the answering server is recorded", async () => {
    const cfg = { ...base, servers: [{ origin: urls.configured, clientId: "app.local", clientSecret: "s" }] } as B24Config;
    for (const hint of [`${urls.stranger}/rest/`, new URL(urls.stranger).host]) {
      const v = await verifyAccessToken("frame-token-0123456789", cfg, selectServer(cfg, hint));
      expect(v).toMatchObject({ memberId: "m1", portalHost: "crm.acme.example", oauthServer: urls.configured });
    }
    expect(hits).toEqual({ configured: 2, stranger: 0 });
  });

  it("a token the server says belongs to another registration of the app is refused", async () => {
    const cfg = { ...base, servers: [{ origin: urls.configured, clientId: "app.other", clientSecret: "s" }] } as B24Config;
    await expect(verifyAccessToken("frame-token-0123456789", cfg, defaultServer(cfg))).rejects.toMatchObject({ code: "unauthenticated" });
  });
});
