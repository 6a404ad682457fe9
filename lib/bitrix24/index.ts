import "server-only";
import type { PortalSession } from "@/lib/auth";
import { createB24Client } from "./client";
import { b24Config } from "./config";
import { env } from "@/lib/env";
import { DbRateLimiter, MemoryRateLimiter } from "./limiter";
import type { RateLimiter } from "./ports";
import { DbTokenSource } from "./refresh";
import type { TokenOwner } from "./token-store";

/**
 * The Bitrix24 composition root: the verbs the rest of the app uses. Everything here is built from stored,
 * OAuth-server-vouched data (tokens, client_endpoint); nothing takes a host or a token from a request.
 */
let limiter: RateLimiter | undefined;

/** PostgreSQL (several instances): the bucket lives in the database. SQLite (one instance): in memory. */
function sharedLimiter(): RateLimiter {
  limiter ??= env().DATABASE_URL.startsWith("file:")
    ? new MemoryRateLimiter(b24Config().rateLimit)
    : new DbRateLimiter(b24Config().rateLimit);
  return limiter;
}

/** A REST client acting with one stored token pair. */
export function clientFor(owner: TokenOwner) {
  return createB24Client({ memberId: owner.memberId, tokens: new DbTokenSource(owner), limiter: sharedLimiter() });
}

/** A REST client acting as the signed-in user, with that user's own token (never the installer's). */
export function userClient(session: PortalSession) {
  return clientFor({ memberId: session.memberId, kind: "user", bitrixUserId: session.bitrixUserId });
}
