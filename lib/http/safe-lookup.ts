import dns from "node:dns";
import net from "node:net";

/**
 * The DNS step of every connection to Bitrix24 (lib/bitrix24/transport/http.ts), so a token is only ever sent to a
 * public address. A host name that passed the host policy (an allow-listed portal, or an endpoint the OAuth server
 * reported) could still resolve to a private, loopback, link-local or cloud-metadata address, by mistake or by DNS
 * rebinding; the check runs here, at connect time, on the very addresses the socket then uses, so there is no window
 * between checking and connecting. Loopback stays reachable only under the test opt-in (B24_ALLOW_HTTP_LOOPBACK).
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
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
];

const blockList = new net.BlockList();
for (const [address, prefix] of V4_BLOCKED) blockList.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of V6_BLOCKED) blockList.addSubnet(address, prefix, "ipv6");

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:10.0.0.1), which must be judged as IPv4. */
function mappedV4(address: string): string | null {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : null;
}

const isLoopbackAddress = (address: string) => /^127\./.test(mappedV4(address) ?? address) || address === "::1";

export function isPublicAddress(address: string): boolean {
  const v4 = mappedV4(address) ?? (net.isIPv4(address) ? address : null);
  if (v4) return !blockList.check(v4, "ipv4");
  if (net.isIPv6(address)) return !blockList.check(address, "ipv6");
  return false;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).Agent: resolves every address of the name and refuses the connection when any of them is
 * not public (an attacker controlling DNS picks which one is used). `allowLoopback()` is read per connection.
 */
export function createSafeLookup(allowLoopback: () => boolean) {
  return function safeLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      let loopbackOk: boolean;
      try {
        loopbackOk = allowLoopback();
      } catch (e) {
        // A throw here would be lost inside the resolver's callback and leave the socket waiting until its timeout.
        return callback(e as NodeJS.ErrnoException, []);
      }
      const unsafe = list.length === 0 || list.some((a) => !isPublicAddress(a.address) && !(loopbackOk && isLoopbackAddress(a.address)));
      if (unsafe) return callback(new UnsafeAddressError(hostname), []);
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
