import dns from "node:dns";
import net from "node:net";

/**
 * The DNS step of every connection to Bitrix24 (lib/bitrix24/transport/http.ts), so a token is only ever sent to a
 * public address. A host name that passed a host policy (an allow-listed portal, or an endpoint the OAuth server
 * vouched for, lib/http/hosts.ts) could still resolve to a private, loopback, link-local or cloud-metadata address, by
 * mistake or by DNS rebinding. The check runs here, at connect time: the name is resolved once per connection, and the
 * addresses handed to the socket are exactly the ones checked, so a second resolution (which a rebinding attacker
 * answers differently) never happens between checking and connecting. IP literals skip `lookup` in node:net, so
 * `checkLiteralAddress` covers them. Loopback stays reachable only under the test opt-in (B24_ALLOW_HTTP_LOOPBACK).
 */
export class UnsafeAddressError extends Error {
  readonly code = "EUNSAFEADDRESS";
  override name = "UnsafeAddressError";
  constructor(hostname: string) {
    super(`${hostname} resolves to an address that is not public; the app does not connect to it.`);
  }
}

const V4_BLOCKED: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const V6_BLOCKED: Array<[string, number]> = [
  ["::", 96], // unspecified, loopback, IPv4-compatible (deprecated)
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001::", 32], // Teredo: tunnels to an IPv4 address we cannot see
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blockList = new net.BlockList();
for (const [address, prefix] of V4_BLOCKED) blockList.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of V6_BLOCKED) blockList.addSubnet(address, prefix, "ipv6");

/** The 8 groups of an IPv6 address (dotted IPv4 tail included), or null. */
function v6Groups(address: string): number[] | null {
  if (!net.isIPv6(address)) return null;
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1]!.split(".").map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  return tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

const v4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 address carries and is routed to: IPv4-mapped (::ffff:10.0.0.1, also written ::ffff:a00:1),
 * NAT64 (64:ff9b::10.0.0.1) and 6to4 (2002:0a00:0001::) are judged as that IPv4. (IPv4-compatible ::10.0.0.1 is
 * deprecated and refused with the rest of ::/96.)
 */
export function embeddedV4(address: string): string | null {
  const g = v6Groups(address);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4Of(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4Of(g[1]!, g[2]!);
  return null;
}

const isLoopbackAddress = (address: string) => /^127\./.test(embeddedV4(address) ?? address) || address === "::1";

export function isPublicAddress(address: string): boolean {
  const v4 = embeddedV4(address) ?? (net.isIPv4(address) ? address : null);
  if (v4) return !blockList.check(v4, "ipv4");
  if (net.isIPv6(address)) return !blockList.check(address.replace(/%.*$/, ""), "ipv6");
  return false;
}

/** Whether the app may connect to this address: public, or loopback under the test opt-in. */
export function isConnectable(address: string, allowLoopback: boolean): boolean {
  return isPublicAddress(address) || (allowLoopback && isLoopbackAddress(address));
}

/** A URL host that is an IP literal ("10.0.0.1", "[::1]") never reaches `lookup`; this is its check. Names pass. */
export function checkLiteralAddress(hostname: string, allowLoopback: boolean): void {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(bare) && !isConnectable(bare, allowLoopback)) throw new UnsafeAddressError(hostname);
}

/** Resolves every address of a name (dns.lookup with `all`, i.e. the system resolver); injectable for tests. */
export type Resolver = (hostname: string, family: number | undefined) => Promise<dns.LookupAddress[]>;

export const systemResolver: Resolver = (hostname, family) =>
  new Promise((resolve, reject) => dns.lookup(hostname, { all: true, family: family ?? 0 }, (err, list) => (err ? reject(err) : resolve(list))));

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).Agent: resolves the name once, refuses the connection when any address is not public (an
 * attacker controlling DNS picks which one is used), and hands the socket exactly the addresses it checked.
 * `allowLoopback()` is read per connection.
 */
export function createSafeLookup(allowLoopback: () => boolean, resolver: Resolver = systemResolver) {
  return function safeLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
    const fail = (err: unknown) => callback(err as NodeJS.ErrnoException, []);
    let loopbackOk: boolean;
    try {
      loopbackOk = allowLoopback();
    } catch (e) {
      // A throw here would be lost inside the resolver's callback and leave the socket waiting until its timeout.
      return fail(e);
    }
    const family = typeof options.family === "number" ? options.family : undefined;
    resolver(hostname, family).then((found) => {
      const list = found.map((a) => ({ address: a.address, family: a.family }));
      if (list.length === 0 || list.some((a) => !isConnectable(a.address, loopbackOk))) return fail(new UnsafeAddressError(hostname));
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    }, fail);
  };
}
