import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isB24Error } from "@/lib/errors";
import { checkLiteralAddress, createSafeLookup, embeddedV4, isPublicAddress, UnsafeAddressError, type Resolver } from "./safe-lookup";
import { useLoopbackEnv } from "@/test/loopback-env";

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
  useLoopbackEnv();
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
  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])("%s is public", (a) =>
    expect(isPublicAddress(a)).toBe(true),
  );
  it.each([
    ["10/8", "10.1.2.3"], ["172.16/12", "172.16.0.1"], ["172.16/12", "172.31.255.255"], ["192.168/16", "192.168.1.1"],
    ["127/8", "127.0.0.1"], ["127/8", "127.255.0.9"], ["169.254/16", "169.254.0.1"], ["metadata", "169.254.169.254"],
    ["CGNAT", "100.64.0.1"], ["this network", "0.0.0.0"], ["multicast", "224.0.0.1"], ["::1", "::1"], ["::", "::"],
    ["fe80::/10", "fe80::1"], ["fc00::/7", "fc00::1"], ["fc00::/7", "fd12:3456::1"], ["IPv4-mapped", "::ffff:10.0.0.1"],
    ["IPv4-mapped hex", "::ffff:a00:1"], ["IPv4-mapped", "::ffff:127.0.0.1"], ["IPv4-mapped", "::ffff:169.254.169.254"],
    ["IPv4-compatible", "::10.0.0.1"], ["NAT64 of 10/8", "64:ff9b::a00:1"], ["6to4 of 192.168/16", "2002:c0a8:101::1"],
    ["Teredo", "2001:0:4136:e378::1"], ["garbage", "not an address"],
  ])("%s: %s is not", (_range, a) => expect(isPublicAddress(a)).toBe(false));
  it("reads the IPv4 inside IPv6 forms that route to it", () => {
    expect(embeddedV4("::ffff:a00:1")).toBe("10.0.0.1");
    expect(embeddedV4("64:ff9b::192.168.0.1")).toBe("192.168.0.1");
    expect(embeddedV4("2606:4700::1")).toBeNull();
  });
});

/** Resolves through a lookup the way an http.Agent does: one address, or all of them. */
function resolveWith(lookup: ReturnType<typeof createSafeLookup>, host: string, all = false): Promise<unknown> {
  return new Promise((resolve, reject) => lookup(host, { all }, (err, address) => (err ? reject(err) : resolve(address))));
}

/** A resolver that answers from a table; `calls` counts every resolution. */
function tableResolver(table: Record<string, string[] | string[][]>) {
  const calls: string[] = [];
  const resolver: Resolver = async (host) => {
    const n = calls.filter((c) => c === host).length;
    calls.push(host);
    const entry = table[host];
    if (!entry) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    // A list of lists answers differently on each resolution (the last answer repeats): DNS rebinding.
    const answer = (Array.isArray(entry[0]) ? (entry as string[][])[Math.min(n, entry.length - 1)] : entry) as string[];
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolver, calls };
}

describe("createSafeLookup with an injected resolver", () => {
  const names: Record<string, string[]> = {
    "public.example": ["93.184.216.34"], "ten.example": ["10.0.0.5"], "oneseventwo.example": ["172.20.1.1"],
    "oneninetwo.example": ["192.168.1.20"], "loop.example": ["127.0.0.1"], "linklocal.example": ["169.254.3.4"],
    "metadata.example": ["169.254.169.254"], "v6loop.example": ["::1"], "ula.example": ["fd00::5"],
    "mapped.example": ["::ffff:10.0.0.1"], "mixed.example": ["93.184.216.34", "192.168.1.20"], "empty.example": [],
  };
  const { resolver } = tableResolver(names);
  const strict = createSafeLookup(() => false, resolver);
  const testing = createSafeLookup(() => true, resolver);

  it("passes a public name on, in both lookup forms", async () => {
    expect(await resolveWith(strict, "public.example")).toBe("93.184.216.34");
    expect(await resolveWith(strict, "public.example", true)).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it.each(Object.keys(names).filter((n) => n !== "public.example"))("refuses %s: one non-public address is enough [#23]", async (host) => {
    await expect(resolveWith(strict, host)).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(resolveWith(strict, host, true)).rejects.toBeInstanceOf(UnsafeAddressError);
  });

  it("lets loopback through only under the test opt-in, and private, link-local and metadata addresses never", async () => {
    expect(await resolveWith(testing, "loop.example")).toBe("127.0.0.1");
    expect(await resolveWith(testing, "v6loop.example")).toBe("::1");
    for (const host of ["ten.example", "oneninetwo.example", "metadata.example", "ula.example", "mapped.example"]) {
      await expect(resolveWith(testing, host)).rejects.toBeInstanceOf(UnsafeAddressError);
    }
  });

  it("passes a resolver failure on as the lookup's error", async () => {
    await expect(resolveWith(strict, "unknown.example")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("DNS rebinding: resolves once per connection and hands on exactly what it checked; the private second answer is refused", async () => {
    const rebind = tableResolver({ "rebind.example": [["93.184.216.34"], ["10.0.0.5"]] });
    const lookup = createSafeLookup(() => false, rebind.resolver);
    expect(await resolveWith(lookup, "rebind.example", true)).toEqual([{ address: "93.184.216.34", family: 4 }]);
    expect(rebind.calls).toEqual(["rebind.example"]);
    await expect(resolveWith(lookup, "rebind.example", true)).rejects.toBeInstanceOf(UnsafeAddressError);
    expect(rebind.calls).toEqual(["rebind.example", "rebind.example"]);
  });

  it("DNS rebinding against a real socket: the approved address is the one connected to, the rebound one is never connected to", async () => {
    // Loopback plays the "public" first answer (allowed under the test opt-in); the second answer is private.
    const rebind = tableResolver({ "rebind.example": [["127.0.0.1"], ["10.0.0.5"]] });
    const agent = new http.Agent({ lookup: createSafeLookup(() => true, rebind.resolver), keepAlive: false });
    const get = () =>
      new Promise<number | Error>((resolve) => {
        http.get({ host: "rebind.example", port, path: "/rest/", agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", resolve);
      });
    expect(await get()).toBe(200);
    expect(hits).toBe(1);
    expect(await get()).toBeInstanceOf(UnsafeAddressError);
    expect(hits).toBe(1);
    agent.destroy();
  });

  it("an agent with the strict lookup never connects to a loopback name", async () => {
    const agent = new http.Agent({ lookup: strict });
    const err = await new Promise<Error>((resolve) => {
      http.get({ host: "loop.example", port, path: "/rest/", agent }, () => resolve(new Error("connected"))).on("error", resolve);
    });
    expect(err).toBeInstanceOf(UnsafeAddressError);
    expect(hits).toBe(0);
    agent.destroy();
  });
});

describe("checkLiteralAddress (IP literals never reach lookup)", () => {
  it.each(["10.0.0.1", "169.254.169.254", "[::1]", "[::ffff:a00:1]", "[fd00::1]", "127.0.0.1"])("refuses %s", (host) => {
    expect(() => checkLiteralAddress(host, false)).toThrow(UnsafeAddressError);
  });
  it("passes names, public literals, and loopback under the opt-in", () => {
    expect(() => checkLiteralAddress("crm.acme.example", false)).not.toThrow();
    expect(() => checkLiteralAddress("93.184.216.34", false)).not.toThrow();
    expect(() => checkLiteralAddress("127.0.0.1", true)).not.toThrow();
    expect(() => checkLiteralAddress("[::1]", true)).not.toThrow();
    expect(() => checkLiteralAddress("10.0.0.1", true)).toThrow(UnsafeAddressError);
  });
});

describe("b24Fetch, the app's one Bitrix24 client", () => {
  it("connects to the address the check approved (a loopback name under the test opt-in)", async () => {
    const { b24Fetch } = await import("@/lib/bitrix24/transport/http");
    const res = await b24Fetch(`http://loopback.example:${port}/rest/profile.json`, { method: "POST", form: { auth: "t" } });
    expect(res.status).toBe(200);
    expect(hits).toBe(1);
  });

  it.each(["rebind.example", "metadata.example", "mixed.example", "10.0.0.5", "[::ffff:a00:5]"])("sends nothing to %s: refused at connect time with a clear error [#23]", async (host) => {
    const { b24Fetch } = await import("@/lib/bitrix24/transport/http");
    const err = await b24Fetch(`http://${host}:${port}/rest/profile.json`, { method: "POST", form: { auth: "token-canary" } }).catch((e: unknown) => e);
    expect(isB24Error(err) && err.code).toBe("upstream_unavailable");
    expect((err as Error).message).toMatch(/non-public network address/);
    expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(UnsafeAddressError);
    expect(hits).toBe(0);
  });
});
