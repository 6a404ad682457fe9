import "server-only";
import { env } from "@/lib/env";
import type { KeyRing } from "./tokens/crypto";
import type { HostPolicy } from "@/lib/http/hosts";

/** One configured OAuth server (a region) and the app registration that goes with it. */
export interface OAuthServer {
  /** Origin, no trailing slash. Pinned (lib/env.ts): never taken from a request or a payload. */
  origin: string;
  clientId: string;
  clientSecret: string;
}

/** What the Bitrix24 layer needs from the environment, derived once. */
export interface B24Config {
  /**
   * The OAuth servers this deployment serves, the default first (B24_OAUTH_SERVER with B24_CLIENT_ID/SECRET), then
   * B24_OAUTH_SERVERS. A portal's own server is oauth/servers.ts `portalServer`; a request can only select one of these.
   */
  servers: readonly [OAuthServer, ...OAuthServer[]];
  hostPolicy: HostPolicy;
  ring: KeyRing;
  /** Key used to sign the portal binding carried through the OAuth `state`. */
  stateKey: Buffer;
  /** Bitrix24's per-portal leaky bucket: burst size and drain rate per second. */
  rateLimit: { burst: number; perSec: number };
}

let cached: B24Config | undefined;

export function b24Config(): B24Config {
  if (cached) return cached;
  const e = env();
  const first: OAuthServer = { origin: new URL(e.B24_OAUTH_SERVER).origin, clientId: e.B24_CLIENT_ID, clientSecret: e.B24_CLIENT_SECRET };
  const more = e.B24_OAUTH_SERVERS.map((s) => ({ origin: s.origin, clientId: s.clientId ?? e.B24_CLIENT_ID, clientSecret: s.clientSecret ?? e.B24_CLIENT_SECRET }));
  cached = {
    servers: [first, ...more],
    hostPolicy: { portalHosts: e.B24_PORTAL_HOSTS, allowHttpLoopback: e.B24_ALLOW_HTTP_LOOPBACK },
    ring: { keys: e.TOKEN_ENCRYPTION_KEYS },
    stateKey: Buffer.from(e.NEXTAUTH_SECRET, "utf8"),
    rateLimit: { burst: e.B24_RATE_LIMIT_BURST, perSec: e.B24_RATE_LIMIT_PER_SEC },
  };
  return cached;
}
