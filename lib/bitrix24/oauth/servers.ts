import type { B24Config, OAuthServer } from "../config";
import { B24Error } from "@/lib/errors";

/**
 * Which configured OAuth server (region) a flow talks to. A server is never built from request data: a request may
 * carry a hint (the callback's `server_domain`, a frame's SERVER_ENDPOINT, an install event's auth[server_endpoint],
 * the region a person picked), and the hint can only SELECT one of the configured servers by exact origin or host;
 * anything else falls back to the default. What the chosen server then answers (it vouches for the token) decides,
 * and the portal row stores that server's origin (Portal.oauthServer), which later refreshes and checks use.
 */
export function defaultServer(cfg: B24Config): OAuthServer {
  return cfg.servers[0];
}

/** The configured server a hint names (an absolute URL: same origin; a bare host: same host), or null. */
export function matchServer(cfg: B24Config, hint: string | null | undefined): OAuthServer | null {
  if (!hint || hint.length > 2048) return null;
  const text = hint.trim().toLowerCase();
  let origin: string | null = null;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) {
    try {
      origin = new URL(text).origin;
    } catch {
      return null;
    }
  }
  return cfg.servers.find((s) => (origin ? s.origin === origin : new URL(s.origin).host === text)) ?? null;
}

/** A request's hint selects among the configured servers; no hint, or one naming no configured server: the default. */
export function selectServer(cfg: B24Config, hint: string | null | undefined): OAuthServer {
  return matchServer(cfg, hint) ?? defaultServer(cfg);
}

/**
 * The server that issued a stored portal's tokens: its recorded origin (null for rows from before regions: the
 * default). A recorded server the operator removed from the configuration is an error, never another server: its
 * tokens mean nothing elsewhere, and they must not be sent there.
 */
export function portalServer(cfg: B24Config, recorded: string | null | undefined): OAuthServer {
  if (!recorded) return defaultServer(cfg);
  const found = cfg.servers.find((s) => s.origin === recorded);
  if (!found) {
    throw new B24Error("oauth_unavailable", `This portal's OAuth server ${recorded} is no longer configured. Add it back to B24_OAUTH_SERVERS.`);
  }
  return found;
}
