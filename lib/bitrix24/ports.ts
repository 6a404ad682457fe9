/**
 * The two things the REST client needs from the outside world, as interfaces so the client can be tested against
 * the emulator with in-memory implementations and run in production with the database-backed ones
 * (refresh.ts → DbTokenSource, limiter.ts → DbRateLimiter).
 */

/** The lifecycle events (lifecycle.ts) by which Bitrix24 refuses a whole portal. */
export type PortalRefusal = "payment_required" | "portal_refused";

/** A usable access token and the REST base URL it belongs to. */
export interface RestCredentials {
  /** From the OAuth server's token response, stored on the portal row. Never from request data. */
  clientEndpoint: string;
  accessToken: string;
}

export interface TokenSource {
  /** Credentials to use now; refreshes first when the stored access token is about to expire. */
  current(): Promise<RestCredentials>;
  /**
   * Called once after Bitrix24 answered `expired_token` / `invalid_token` for `stale`. Returns a newer pair
   * (refreshing at most once across all instances) or throws B24Error `needs_reauth` when the pair is dead.
   */
  renew(stale: RestCredentials): Promise<RestCredentials>;
  /** Bitrix24 said the portal is unusable (PAYMENT_REQUIRED, PORTAL_DELETED, …): record it so later calls fail fast. */
  markPortal?(event: PortalRefusal, reason: string): Promise<void>;
}

export interface RateLimiter {
  /**
   * Resolves when one more HTTP request to this portal fits in its leaky bucket (shared by every app instance).
   * A `batch` is one request.
   */
  acquire(memberId: string, signal?: AbortSignal): Promise<void>;
  /**
   * The portal answered QUERY_LIMIT_EXCEEDED anyway (another app or integration shares its bucket): use less of it
   * for a while. Never throws.
   */
  penalize?(memberId: string): Promise<void>;
}

/** Lets everything through; for tests that exercise the emulator's own limit answers. */
export const unlimited: RateLimiter = { acquire: async () => {} };
