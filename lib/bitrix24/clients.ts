import "server-only";
import type { PortalSession } from "@/lib/auth";
import { createB24Client } from "./transport/client";
import { sharedLimiter } from "./transport/limiter";
import { sharedOperating } from "./transport/operating-shared";
import type { PortalRefusal, RestCredentials, TokenSource } from "./ports";
import { B24Error, isB24Error } from "@/lib/errors";
import { DbTokenSource } from "./tokens/refresh";
import { findPortal } from "./store/portals";
import { pairExists, type TokenOwner } from "./store/token-store";
import { restRecorder } from "./rest-log";

/**
 * The app's REST clients: every one shares the process's request bucket and operating-time limits, and is built from
 * stored, OAuth-server-vouched data (tokens, client_endpoint); nothing takes a host or a token from a request.
 */
/** A REST client acting with one stored token pair. `probe` may ask a blocked portal whether it works again. */
export function clientFor(owner: TokenOwner, opts: { probe?: boolean } = {}) {
  return createB24Client({ memberId: owner.memberId, tokens: new DbTokenSource(owner, opts), limiter: sharedLimiter(), operating: sharedOperating(), record: restRecorder(owner.bitrixUserId) });
}

/**
 * Whose pair acts for a signed-in person: always their own. The one exception is the admin who installed the app
 * and has not opened it since (the install URL stores their pair as the portal's, kind "portal", and a second
 * copy would share one single-use refresh token): they act with that pair. Nobody else ever gets the
 * installer's pair, so a non-admin can never borrow an admin's rights.
 */
export async function actingOwner(session: PortalSession): Promise<TokenOwner> {
  const own: TokenOwner = { memberId: session.memberId, kind: "user", bitrixUserId: session.bitrixUserId };
  if (!session.isAdmin || (await pairExists(own))) return own;
  const portal = await findPortal(session.memberId);
  return portal?.installedBy === session.bitrixUserId ? { ...own, kind: "portal" } : own;
}

/**
 * Acts with the user's own pair; only when that is missing and the user may be the installer does it look further
 * (actingOwner), so the common path costs one query.
 */
class SessionTokenSource implements TokenSource {
  private chosen?: DbTokenSource;
  constructor(private readonly session: PortalSession) {}
  async current(): Promise<RestCredentials> {
    if (this.chosen) return this.chosen.current();
    const own = new DbTokenSource({ memberId: this.session.memberId, kind: "user", bitrixUserId: this.session.bitrixUserId });
    try {
      const creds = await own.current();
      this.chosen = own;
      return creds;
    } catch (err) {
      if (!this.session.isAdmin || !isB24Error(err) || err.code !== "needs_reauth") throw err;
      const owner = await actingOwner(this.session);
      if (owner.kind === "user") throw err;
      this.chosen = new DbTokenSource(owner);
      return this.chosen.current();
    }
  }
  async renew(stale: RestCredentials): Promise<RestCredentials> {
    return this.picked().renew(stale);
  }
  async markPortal(event: PortalRefusal, reason: string): Promise<void> {
    return this.picked().markPortal(event, reason);
  }
  private picked(): DbTokenSource {
    if (!this.chosen) throw new B24Error("internal", "current() must run before renew()/markPortal().");
    return this.chosen;
  }
}

/**
 * A REST client acting as the signed-in user (see actingOwner: never another user's pair). `interactive` (the proxy)
 * never waits for an operating-time reset: the answer is 503 with Retry-After instead.
 */
export function userClient(session: PortalSession, opts: { interactive?: boolean } = {}) {
  return createB24Client({
    memberId: session.memberId,
    tokens: new SessionTokenSource(session),
    limiter: sharedLimiter(),
    operating: sharedOperating(),
    record: restRecorder(session.bitrixUserId),
    // A person waiting on a page gets "try again in N s" at once rather than a request held for the operating reset.
    ...(opts.interactive ? { maxOperatingWaitMs: 0 } : {}),
  });
}
