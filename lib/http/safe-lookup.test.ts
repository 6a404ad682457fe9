import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isB24Error } from "@/lib/errors";
import { createSafeLookup, isPublicAddress, UnsafeAddressError } from "./safe-lookup";

/**
 * Connect-time address checks: names are resolved by a stubbed resolver (no network), and the app's own HTTP client
 * (b24Fetch) is shown to connect to the address the check approved, and to nothing when the check refuses.
 */
const RESOLVES: Record<string, dns.LookupAddress[]> = {
  "loopback.example": [{ address: "127.0.0.1", family: 4 }],
  "rebind.example": [{ address: "10.0.0.5", family: 4 }],
  "metadata.example": [{ address: "169.254.169.254", family: 4 }],
  "mixed.example": [{ address: "93.184.216.34", family: 4 }, { address: "192.168.1.20", family: 4 }],
  "v6local.example": [{ address: "fd12:3456::1", family: 6 }],
  "public.example": [{ address: "93.184.216.34", family: 4 }],
};

let server: http.Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  Object.assign(process.env, {
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    NEXTAUTH_SECRET: "x".repeat(40),
    B24_CLIENT_ID: "local.test",
    B24_CLIENT_SECRET: "client-secret-canary",
    B24_OAUTH_SERVER: "http://127.0.0.1:1",
    B24_ALLOW_HTTP_LOOPBACK: "1",
    TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
    LOG_LEVEL: "silent",
  });
  server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "application/json" }).end('{"result":true}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
  vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, _opts: unknown, cb: (e: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void) => {
    const found = RESOLVES[hostname];
    queueMicrotask(() => (found ? cb(null, found) : cb(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), [])));
  }) as unknown as typeof dns.lookup);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  hits = 0;
});

describe("isPublicAddress", () => {
  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("%s is public", (a) => expect(isPublicAddress(a)).toBe(true));
  it.each([
    "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "::", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "not an address",
  ])("%s is not", (a) => expect(isPublicAddress(a)).toBe(false));
});

/** Resolves through a lookup the way an http.Agent does: one address, or all of them. */
function resolveWith(lookup: ReturnType<typeof createSafeLookup>, host: string, all = false): Promise<unknown> {
  return new Promise((resolve, reject) => lookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))));
}

describe("createSafeLookup", () => {
  const strict = createSafeLookup(() => false);
  const testing = createSafeLookup(() => true);

  it.each(["rebind.example", "metadata.example", "mixed.example", "v6local.example", "loopback.example"])("refuses %s: one non-public address is enough [#23]", async (host) => {
    await expect(resolveWith(strict, host)).rejects.toBeInstanceOf(UnsafeAddressError);
  });

  it("passes public names on, in both lookup forms", async () => {
    expect(await resolveWith(strict, "public.example")).toBe("93.184.216.34");
    expect(await resolveWith(strict, "public.example", true)).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it("lets loopback through only under the test opt-in, and private ranges never", async () => {
    expect(await resolveWith(testing, "loopback.example")).toBe("127.0.0.1");
    await expect(resolveWith(testing, "rebind.example")).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(resolveWith(testing, "metadata.example")).rejects.toBeInstanceOf(UnsafeAddressError);
  });

  it("an agent with the strict lookup never connects to a loopback name", async () => {
    const agent = new http.Agent({ lookup: strict });
    const err = await new Promise<Error>((resolve) => {
      http.get({ host: "loopback.example", port, path: "/rest/", agent }, () => resolve(new Error("connected"))).on("error", resolve);
    });
    expect(err).toBeInstanceOf(UnsafeAddressError);
    expect(hits).toBe(0);
    agent.destroy();
  });
});

describe("b24Fetch, the app's one Bitrix24 client", () => {
  it("connects to the address the check approved (a loopback name under the test opt-in)", async () => {
    const { b24Fetch } = await import("@/lib/bitrix24/transport/http");
    const res = await b24Fetch(`http://loopback.example:${port}/rest/profile.json`, { method: "POST", form: { auth: "t" } });
    expect(res.status).toBe(200);
    expect(hits).toBe(1);
  });

  it.each(["rebind.example", "metadata.example", "mixed.example"])("sends nothing to %s: refused at connect time with a clear error [#23]", async (host) => {
    const { b24Fetch } = await import("@/lib/bitrix24/transport/http");
    const err = await b24Fetch(`http://${host}:${port}/rest/profile.json`, { method: "POST", form: { auth: "token-canary" } }).catch((e: unknown) => e);
    expect(isB24Error(err) && err.code).toBe("upstream_unavailable");
    expect((err as Error).message).toMatch(/non-public network address/);
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(UnsafeAddressError);
    expect(hits).toBe(0);
  });
});
