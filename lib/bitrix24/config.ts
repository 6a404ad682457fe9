import "server-only";
import { env } from "@/lib/env";
import type { KeyRing } from "./tokens/crypto";
import type { HostPolicy } from "@/lib/http/hosts";

/** What the Bitrix24 layer needs from the environment, derived once. */
export interface B24Config {
  clientId: string;
  clientSecret: string;
  /** Base URL of the OAuth server, no trailing slash. Pinned: never taken from a request or a payload. */
  oauthServer: string;
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
  cached = {
    clientId: e.B24_CLIENT_ID,
    clientSecret: e.B24_CLIENT_SECRET,
    oauthServer: e.B24_OAUTH_SERVER.replace(/\/+$/, ""),
    hostPolicy: { portalHosts: e.B24_PORTAL_HOSTS, allowHttpLoopback: e.B24_ALLOW_HTTP_LOOPBACK },
    ring: { keys: e.TOKEN_ENCRYPTION_KEYS },
    stateKey: Buffer.from(e.NEXTAUTH_SECRET, "utf8"),
    rateLimit: { burst: e.B24_RATE_LIMIT_BURST, perSec: e.B24_RATE_LIMIT_PER_SEC },
  };
  return cached;
}
