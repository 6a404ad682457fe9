import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import { countTokenRefresh } from "@/lib/metrics";
import { processLocal } from "@/lib/process-local";
import { b24Config } from "../config";
import { TokenDecryptError } from "./crypto";
import { B24Error, isB24Error } from "@/lib/errors";
import { portalGate, portalStatusOf } from "../lifecycle/states";
import { requestToken, type B24TokenSet } from "../oauth/oauth";
import { portalServer } from "../oauth/servers";
import type { PortalRefusal, RestCredentials, TokenSource } from "../ports";
import { findPortal, flagUntrustedEndpoint, movePortal, transitionPortal } from "../store/portals";
import {
  commitRefreshed, loadPairWithPortal, markPairDead, recordRefreshFailure, releaseLease, rowToPair, takeLease,
  type PairWithPortal, type TokenOwner, type TokenPair,
} from "../store/token-store";

/**
 * Refresh tokens are single-use: two refreshes of one pair leave it dead. So at most one refresh per pair runs
 * across all instances: a single-flight promise inside the process, plus a lease on the row in the database
 * (compare-and-swap, works on SQLite and PostgreSQL). The loser waits and re-reads the winner's pair. The new pair is
 * committed before anyone uses it, and `invalid_grant` re-reads the database before declaring the pair dead.
 */

/** Refresh proactively when the access token has less than this left. */
export const REFRESH_AHEAD_SEC = 120;
/** Token endpoint timeout. A hang costs at most this, then the old pair is kept. */
export const REFRESH_TIMEOUT_MS = 10_000;
/** Lease on a pair while one instance refreshes it. Must exceed REFRESH_TIMEOUT_MS; a dead holder's lease expires. */
export const LEASE_MS = 30_000;
/** After a failed refresh (OAuth 5xx/timeout), wait up to 2^failures seconds (jittered: refreshBackoffMs), never more than this. */
export const MAX_BACKOFF_SEC = 60;

/**
 * The wait after `failures` failed refreshes, with equal jitter: uniform in [ceiling/2, ceiling) where
 * ceiling = min(MAX_BACKOFF_SEC, 2^failures) s, so pairs that failed together (an OAuth outage) do not all return at
 * once, and none waits longer than the cap. `fraction` is in [0, 1).
 */
export function refreshBackoffMs(failures: number, fraction: number): number {
  const ceilingMs = Math.min(MAX_BACKOFF_SEC, 2 ** failures) * 1000;
  return Math.floor(ceilingMs / 2 + (Math.min(Math.max(fraction, 0), 1) * ceilingMs) / 2);
}

/**
 * The default jitter: a fraction in [0, 1) hashed from one failure of one pair (its id, failure count and time), so
 * every caller and every instance computes the same retry time for it, and it differs between pairs and failures.
 */
export function failureJitter(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

const INSTANCE = processLocal("b24.refresh.instance", () => randomUUID());
const inflight = processLocal("b24.refresh.inflight", () => new Map<string, Promise<TokenPair>>());

/** Options for one token source. `probe` lets a re-check of a blocked portal through (lifecycle/recheck.ts). */
export interface TokenSourceOptions {
  sleep?: (ms: number) => Promise<void>;
  probe?: boolean;
  /** The refresh backoff's jitter for one failure (seeded by it), in [0, 1); injectable for tests. */
  random?: (seed: string) => number;
}

function usable(row: PairWithPortal | null, probe = false): PairWithPortal {
  if (!row) throw new B24Error("needs_reauth", "No Bitrix24 connection is stored for you. Sign in again.");
  const gate = portalGate(row.portal.status);
  if (gate && !(probe && portalStatusOf(row.portal.status) === "blocked")) throw gate;
  if (row.status !== "active") throw new B24Error("needs_reauth", "Bitrix24 no longer accepts your connection. Sign in again.");
  return row;
}

/** An uninstall deletes the pairs, so a missing row still reports the portal's state rather than "sign in". */
async function loadUsable(owner: TokenOwner, probe = false): Promise<PairWithPortal> {
  const row = await loadPairWithPortal(owner);
  if (!row) {
    const gate = portalGate((await findPortal(owner.memberId))?.status);
    if (gate) throw gate;
  }
  return usable(row, probe);
}

function credentials(row: PairWithPortal, pair: TokenPair): RestCredentials {
  return { clientEndpoint: row.portal.clientEndpoint, accessToken: pair.accessToken };
}

function decrypt(row: PairWithPortal): TokenPair {
  try {
    return rowToPair(row, b24Config().ring);
  } catch (err) {
    if (err instanceof TokenDecryptError) throw new B24Error("needs_reauth", "The stored Bitrix24 connection cannot be read. Sign in again.", { cause: err });
    throw err;
  }
}

export class DbTokenSource implements TokenSource {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly probe: boolean;
  private readonly random: (seed: string) => number;

  constructor(
    private readonly owner: TokenOwner,
    opts: TokenSourceOptions = {},
  ) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.probe = opts.probe ?? false;
    this.random = opts.random ?? failureJitter;
  }

  private load(): Promise<PairWithPortal> {
    return loadUsable(this.owner, this.probe);
  }

  async current(): Promise<RestCredentials> {
    const row = await this.load();
    const pair = await this.decryptOrKill(row);
    if (pair.expiresAt.getTime() - Date.now() > REFRESH_AHEAD_SEC * 1000) return credentials(row, pair);
    try {
      return await this.renewFrom(row.version);
    } catch (err) {
      // A proactive refresh that hit a transient OAuth failure: the old access token is still valid, keep using it.
      if (isB24Error(err) && err.code === "upstream_unavailable" && pair.expiresAt.getTime() > Date.now()) return credentials(row, pair);
      throw err;
    }
  }

  async renew(stale: RestCredentials): Promise<RestCredentials> {
    const row = await this.load();
    const pair = await this.decryptOrKill(row);
    if (pair.accessToken !== stale.accessToken) return credentials(row, pair);
    return this.renewFrom(row.version);
  }

  /** Bitrix24 refused the whole portal: blocked (lifecycle.ts), unless it was uninstalled meanwhile. */
  async markPortal(event: PortalRefusal, reason: string): Promise<void> {
    const status = await transitionPortal(this.owner.memberId, event, reason);
    log.warn("b24.portal.status", { memberId: this.owner.memberId, status, reason });
  }

  private async renewFrom(seenVersion: number): Promise<RestCredentials> {
    const key = `${this.owner.memberId}|${this.owner.kind}|${this.owner.bitrixUserId}`;
    let flight = inflight.get(key);
    if (!flight) {
      flight = this.refreshShared(seenVersion).finally(() => inflight.delete(key));
      inflight.set(key, flight);
    }
    const pair = await flight;
    const row = await this.load();
    return credentials(row, pair);
  }

  private async decryptOrKill(row: PairWithPortal): Promise<TokenPair> {
    try {
      return decrypt(row);
    } catch (err) {
      await this.markDead(row, "undecryptable");
      throw err;
    }
  }

  /** Waits for another instance's refresh or takes the lease and refreshes; never refreshes a pair twice. */
  private async refreshShared(seenVersion: number): Promise<TokenPair> {
    const deadline = Date.now() + LEASE_MS + REFRESH_TIMEOUT_MS;
    for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
      const row = await this.load();
      if (row.version !== seenVersion) return this.decryptOrKill(row);
      if (row.refreshFailures > 0) {
        const failedAt = row.updatedAt.getTime();
        const waitMs = refreshBackoffMs(row.refreshFailures, this.random(`${row.id}|${row.refreshFailures}|${failedAt}`));
        const leftMs = failedAt + waitMs - Date.now();
        if (leftMs > 0) {
          throw new B24Error("upstream_unavailable", "Bitrix24's OAuth server failed recently; retrying later.", { retryAfterSec: Math.ceil(leftMs / 1000) });
        }
      }
      if (await takeLease(row, INSTANCE, LEASE_MS)) return this.refreshLeased(row);
      if (Date.now() > deadline) throw new B24Error("upstream_unavailable", "Another instance is still refreshing this connection.", { retryAfterSec: 1 });
      await this.sleep(wait / 2 + Math.random() * wait);
    }
  }

  private async refreshLeased(row: PairWithPortal): Promise<TokenPair> {
    const old = await this.decryptOrKill(row);
    let issued: B24TokenSet;
    try {
      // The portal's own OAuth server and that server's credentials: a refresh token means nothing to another region.
      const cfg = b24Config();
      const server = portalServer(cfg, (await findPortal(row.memberId))?.oauthServer);
      issued = await requestToken({ grant: "refresh_token", refreshToken: old.refreshToken }, cfg, server, REFRESH_TIMEOUT_MS);
    } catch (err) {
      countTokenRefresh("error");
      return this.refreshFailed(row, err);
    }
    if (issued.memberId !== row.memberId) {
      await this.markDead(row, "member_mismatch");
      throw new B24Error("needs_reauth", "The OAuth server answered for another portal.");
    }
    const next = { ...this.owner, accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: issued.expiresAt };
    if (!(await commitRefreshed(row, INSTANCE, next))) {
      log.error("b24.refresh.rotation_unpersisted", { memberId: row.memberId, kind: row.kind });
      throw new B24Error("upstream_unavailable", "The refreshed connection could not be saved.");
    }
    if (issued.clientEndpoint !== row.portal.clientEndpoint) await movePortal(row.memberId, issued.clientEndpoint, issued.portalHost);
    countTokenRefresh("ok");
    log.info("b24.refresh.ok", { memberId: row.memberId, kind: row.kind, version: row.version + 1 });
    return { ...next, version: row.version + 1 };
  }

  private async refreshFailed(row: PairWithPortal, err: unknown): Promise<TokenPair> {
    const code = isB24Error(err) ? err.code : "internal";
    if (code === "invalid_grant" || code === "needs_reauth") {
      // Race check: a sibling whose lease we outlived may have written a newer pair with the token we just spent.
      const fresh = await loadPairWithPortal(this.owner);
      if (fresh && fresh.version !== row.version) return this.decryptOrKill(usable(fresh, this.probe));
      await this.markDead(row, code);
      throw new B24Error("needs_reauth", "Bitrix24 no longer accepts this connection. Sign in again.", { cause: err });
    }
    if (code === "invalid_token_response") {
      // The OAuth server rotated the pair but its answer is unusable (e.g. a client_endpoint we refuse to call):
      // the old refresh token is spent, so this pair is dead; the portal is flagged for the doctor, not blocked, and
      // its stored endpoint and every other pair are not touched.
      await this.markDead(row, code);
      await flagUntrustedEndpoint(row.memberId);
      log.error("b24.refresh.untrusted_answer", { memberId: row.memberId, kind: row.kind });
      throw new B24Error("needs_reauth", "Bitrix24's OAuth server sent an answer this app does not accept.", { cause: err });
    }
    if (code === "payment_required") {
      await releaseLease(row.id, INSTANCE, code);
      await this.markPortal("payment_required", "PAYMENT_REQUIRED");
      throw err;
    }
    await recordRefreshFailure(row.id, INSTANCE, code);
    log.warn("b24.refresh.failed", { memberId: row.memberId, kind: row.kind, code });
    throw isB24Error(err) && err.code === "oauth_unavailable"
      ? new B24Error("upstream_unavailable", "Bitrix24's OAuth server is unavailable; the connection is kept.", { cause: err, retryAfterSec: 1 })
      : err;
  }


  /** Only this pair: the portal and other users' pairs stay usable (lifecycle.ts). A new verified pair revives it. */
  private async markDead(row: PairWithPortal, reason: string): Promise<void> {
    await markPairDead(row, reason);
    log.warn("b24.refresh.dead", { memberId: row.memberId, kind: row.kind, reason });
  }
}
