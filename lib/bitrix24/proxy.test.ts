import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Emulator } from "@/e2e/emulator";
import { signIn, start } from "@/e2e/emulator/tests/helpers";
import type { PortalSession } from "@/lib/auth";
import { errorJson } from "@/lib/http/responses";
import { endlessRequest } from "@/test/endless-request";
import { MAX_BODY_BYTES, proxyCall, readParams } from "./proxy";
import { userClient } from "./clients";
import { getPortalSession } from "@/lib/auth";
import type { TokenSource } from "./ports";
import { createB24Client } from "./transport/client";
import { DEFAULT_MAX_ATTEMPTS } from "./transport/retry";

// The proxy end to end in one process: a session (next-auth's cookie is not what is tested here) and a REST client
// built like userClient's interactive one, against the emulated portal, with the retry waits recorded, not slept.
vi.mock("@/lib/auth", () => ({ getPortalSession: vi.fn() }));
vi.mock("./clients", () => ({ userClient: vi.fn() }));

/** The proxy's body reader: what the browser may send as Bitrix24 parameters, and the status of what it may not. */
const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://127.0.0.1/api/b24/user.current", { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return errorJson(err).status;
  }
}

describe("readParams", () => {
  it("returns the JSON object; an empty body is no parameters", async () => {
    expect(await readParams(post('{"filter":{">ID":5},"select":["ID"]}'))).toEqual({ filter: { ">ID": 5 }, select: ["ID"] });
    expect(await readParams(post(""))).toEqual({});
    expect(await readParams(post(null))).toEqual({});
  });

  it("refuses more than 64 KB with 413, declared or streamed, without reading the rest", async () => {
    const big = JSON.stringify({ a: "x".repeat(MAX_BODY_BYTES) });
    expect(await statusOf(readParams(post(big)))).toBe(413);
    expect(await statusOf(readParams(post("{}", { "content-length": String(MAX_BODY_BYTES + 1) })))).toBe(413);
    const endless = endlessRequest("application/json", 0x20);
    expect(await statusOf(readParams(endless.request))).toBe(413);
    expect(endless.pulled()).toBeLessThan(10);
  });

  it("answers 400 for anything but a JSON object in UTF-8, and for credential or prototype keys", async () => {
    for (const body of ["{", "[1,2]", '"x"', "null", '{"auth":"t"}', '{"ACCESS_TOKEN":"t"}', '{"__proto__":{"x":1}}', '{"client_secret":"s"}']) {
      expect(await statusOf(readParams(post(body))), body).toBe(400);
    }
    expect(await statusOf(readParams(post(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))))).toBe(400);
  });
});

describe("proxyCall against the portal", () => {
  const APP_ORIGIN = "http://127.0.0.1:3999";
  let emu: Emulator | undefined;
  let sleeps: number[] = [];

  beforeAll(() => {
    Object.assign(process.env, {
      DATABASE_URL: "file:/nonexistent/never-opened.db",
      NEXTAUTH_URL: APP_ORIGIN,
      NEXTAUTH_SECRET: "x".repeat(40),
      B24_CLIENT_ID: "local.test",
      B24_CLIENT_SECRET: "client-secret-canary",
      TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
      B24_OAUTH_SERVER: "http://127.0.0.1:1",
      B24_ALLOW_HTTP_LOOPBACK: "1",
      B24_PORTAL_HOSTS: "^127\\.0\\.0\\.1:\\d+$",
      LOG_LEVEL: "silent",
    });
  });
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });

  it("POST /api/b24 (the empty method, where Next redirects /api/b24/) answers 400 with a session, 401 without, and builds no client [#18]", async () => {
    const { POST } = await import("@/app/api/b24/route");
    vi.mocked(userClient).mockClear();
    const req = () =>
      new Request(`${APP_ORIGIN}/api/b24`, {
        method: "POST",
        headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", "content-type": "application/json", "x-b24-proxy": "1" },
        body: "{}",
      });
    vi.mocked(getPortalSession).mockResolvedValue({ memberId: "m1", portalHost: "127.0.0.1:1", bitrixUserId: 1, isAdmin: false, name: "Test" });
    expect((await POST(req())).status).toBe(400);
    vi.mocked(getPortalSession).mockResolvedValue(null);
    expect((await POST(req())).status).toBe(401);
    expect(userClient).not.toHaveBeenCalled();
  });

  /** A signed-in user of an emulated portal; the proxy's client is the interactive one, its waits recorded. */
  async function portal() {
    const e = await start();
    emu = e;
    const tokens = await signIn(e);
    const memberId = e.portals[0]!.memberId;
    const creds = { clientEndpoint: String(tokens.client_endpoint), accessToken: tokens.access_token };
    const source: TokenSource = { current: async () => creds, renew: async (stale) => stale };
    sleeps = [];
    const session: PortalSession = { memberId, portalHost: new URL(creds.clientEndpoint).host, bitrixUserId: 1, isAdmin: false, name: "Test" };
    vi.mocked(getPortalSession).mockResolvedValue(session);
    vi.mocked(userClient).mockImplementation((_session, opts = {}) =>
      createB24Client({
        memberId,
        tokens: source,
        limiter: { acquire: async () => {} },
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 0.5,
        ...(opts.interactive ? { maxOperatingWaitMs: 0 } : {}),
      }),
    );
    await e.control.clearLog();
    return {
      emu: e,
      token: creds.accessToken,
      restCalls: async (path: string) => (await e.control.log()).filter((l) => l.server === "portal" && l.path === path),
    };
  }

  const call = (method: string, params: unknown = {}) =>
    proxyCall(
      new Request(`${APP_ORIGIN}/api/b24/${method}`, {
        method: "POST",
        headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", "content-type": "application/json", "x-b24-proxy": "1" },
        body: JSON.stringify(params),
      }),
      method,
    );

  it("exhausted QUERY_LIMIT_EXCEEDED retries end as 503 with Retry-After and a generic body, after exactly the policy's attempts [#39]", async () => {
    const p = await portal();
    const limit = { error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests", debug: "upstream-only-detail" };
    await p.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 503, body: limit, count: 100 });
    const res = await call("crm.deal.list", { select: ["ID"] });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const text = await res.text();
    // The app's own error shape: nothing of the upstream answer beyond its error code, and never the token.
    expect(JSON.parse(text)).toEqual({ error: "rate_limited", message: expect.any(String), upstream: "QUERY_LIMIT_EXCEEDED" });
    expect(text).not.toContain("upstream-only-detail");
    expect(text).not.toContain(p.token);
    expect(await p.restCalls("/rest/crm.deal.list")).toHaveLength(DEFAULT_MAX_ATTEMPTS);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(3);
    // Jittered waits between the attempts (random 0.5 here), none before the first.
    expect(sleeps).toHaveLength(DEFAULT_MAX_ATTEMPTS - 1);
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(500);
  });

  it("every proxy answer about a tenant, success or refusal, is Cache-Control: private, no-store; so is any other API answer by default [#16]", async () => {
    const p = await portal();
    const answers: Array<[string, Response]> = [["200", await call("user.current")]];
    await p.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 400, body: { error: "ERROR_CORE", error_description: "x" } });
    answers.push(["400 from the portal", await call("crm.deal.list")]);
    await p.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status: 503, body: { error: "QUERY_LIMIT_EXCEEDED" }, count: 10 });
    answers.push(["503 after retries", await call("crm.deal.list")]);
    answers.push(["403 method outside the allow-list", await call("event.bind")]);
    answers.push(["400 bad method name", await call("crm%00.deal")]);
    vi.mocked(getPortalSession).mockResolvedValueOnce(null);
    answers.push(["401 without a session", await call("user.current")]);
    expect(answers.map(([, r]) => r.status)).toEqual([200, 400, 503, 403, 400, 401]);
    for (const [what, res] of answers) {
      const directives = (res.headers.get("cache-control") ?? "").split(",").map((d) => d.trim());
      expect(directives, what).toEqual(expect.arrayContaining(["private", "no-store"]));
    }
    // Route handlers that set nothing get next.config.mjs's header for /api/*.
    const configUrl = pathToFileURL(join(__dirname, "../../next.config.mjs")).href;
    const config = ((await import(/* @vite-ignore */ configUrl)) as { default: unknown }).default as { headers: () => Promise<Array<{ source: string; headers: Array<{ key: string; value: string }> }>> };
    const api = (await config.headers()).find((h) => h.source === "/api/:path*");
    expect(api?.headers.find((h) => h.key.toLowerCase() === "cache-control")?.value).toBe("private, no-store");
  });

  it.each([
    [400, "ERROR_CORE", "Internal error"],
    [400, "ERROR_ARGUMENT", "Argument 'filter' is invalid"],
    [403, "ACCESS_DENIED", "Access denied!"],
    [404, "ERROR_NOT_FOUND", "Not found"],
  ])("a %i %s method error is sent exactly once and answered at once [#39]", async (status, error, description) => {
    const p = await portal();
    await p.emu.control.addFault({ path: "/rest/crm.deal.list", kind: "status", status, body: { error, error_description: description }, count: 100 });
    const res = await call("crm.deal.list", { select: ["ID"] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.json()).toMatchObject({ upstream: error });
    expect(await p.restCalls("/rest/crm.deal.list")).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});
