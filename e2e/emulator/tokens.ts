import { randomBytes } from "node:crypto";
import type { Clock } from "./clock";
import type { TokenPairInfo } from "./types";

/** Opaque like cloud tokens (~70 hex): apps must never parse them. */
function opaque(): string {
  return randomBytes(35).toString("hex");
}

export interface TokenPair {
  memberId: string;
  userId: number;
  access: string;
  refresh: string;
  accessExpiresMs: number;
  refreshExpiresMs: number;
  accessRevoked: boolean;
  refreshUsed: boolean;
  refreshRevoked: boolean;
}

interface Code {
  memberId: string;
  userId: number;
  expiresMs: number;
}

export type AccessCheck = { ok: true; pair: TokenPair } | { ok: false; error: "invalid_token" | "expired_token" };
export type RefreshResult = { ok: true; pair: TokenPair } | { ok: false; description: string };

export const CODE_TTL_SEC = 30;

export class TokenStore {
  private readonly byAccess = new Map<string, TokenPair>();
  private readonly byRefresh = new Map<string, TokenPair>();
  private readonly codes = new Map<string, Code>();

  constructor(
    private readonly clock: Clock,
    private readonly cfg: { accessTtlSec: number; refreshTtlSec: number; revokeAccessOnRefresh: boolean },
  ) {}

  get accessTtlSec(): number {
    return this.cfg.accessTtlSec;
  }

  issue(memberId: string, userId: number): TokenPair {
    const now = this.clock.nowMs();
    const pair: TokenPair = {
      memberId,
      userId,
      access: opaque(),
      refresh: opaque(),
      accessExpiresMs: now + this.cfg.accessTtlSec * 1000,
      refreshExpiresMs: now + this.cfg.refreshTtlSec * 1000,
      accessRevoked: false,
      refreshUsed: false,
      refreshRevoked: false,
    };
    this.byAccess.set(pair.access, pair);
    this.byRefresh.set(pair.refresh, pair);
    return pair;
  }

  issueCode(memberId: string, userId: number): string {
    const code = opaque();
    this.codes.set(code, { memberId, userId, expiresMs: this.clock.nowMs() + CODE_TTL_SEC * 1000 });
    return code;
  }

  /**
   * Single use: the code is gone after the first attempt, successful or not. `known` says whether the asking OAuth
   * server knows the code's portal at all (another region's server has never seen it, so it stays usable).
   */
  consumeCode(code: string, known: (memberId: string) => boolean = () => true): Code | null {
    const found = this.codes.get(code);
    if (found && !known(found.memberId)) return null;
    this.codes.delete(code);
    if (!found || found.expiresMs <= this.clock.nowMs()) return null;
    return found;
  }

  checkAccess(token: string): AccessCheck {
    const pair = this.byAccess.get(token);
    if (!pair || pair.accessRevoked) return { ok: false, error: "invalid_token" };
    if (pair.accessExpiresMs <= this.clock.nowMs()) return { ok: false, error: "expired_token" };
    return { ok: true, pair };
  }

  /** Rotation: the used refresh token dies, and by default the access token issued with it too. */
  refresh(token: string, known: (memberId: string) => boolean = () => true): RefreshResult {
    const old = this.byRefresh.get(token);
    if (!old || !known(old.memberId)) return { ok: false, description: "Invalid refresh token" };
    if (old.refreshUsed) return { ok: false, description: "Refresh token has already been used" };
    if (old.refreshRevoked) return { ok: false, description: "Refresh token has been revoked" };
    if (old.refreshExpiresMs <= this.clock.nowMs()) return { ok: false, description: "Refresh token expired" };
    old.refreshUsed = true;
    if (this.cfg.revokeAccessOnRefresh) old.accessRevoked = true;
    return { ok: true, pair: this.issue(old.memberId, old.userId) };
  }

  expireAllAccess(): number {
    const past = this.clock.nowMs() - 1000;
    let n = 0;
    for (const p of this.byAccess.values()) {
      if (!p.accessRevoked && p.accessExpiresMs > past) {
        p.accessExpiresMs = past;
        n++;
      }
    }
    return n;
  }

  /** Revokes refresh tokens (an administrator removed the user, or the token was used elsewhere); all by default. */
  revokeRefresh(filter: { memberId?: string; userId?: number; refresh?: string } = {}): number {
    let n = 0;
    for (const p of this.byRefresh.values()) {
      if (filter.memberId !== undefined && p.memberId !== filter.memberId) continue;
      if (filter.userId !== undefined && p.userId !== filter.userId) continue;
      if (filter.refresh !== undefined && p.refresh !== filter.refresh) continue;
      if (!p.refreshRevoked && !p.refreshUsed) n++;
      p.refreshRevoked = true;
    }
    return n;
  }

  revokeAllRefresh(): number {
    return this.revokeRefresh();
  }

  /** Uninstall or deletion: every token of the portal stops working at once. */
  killPortal(memberId: string): void {
    for (const p of this.byAccess.values()) {
      if (p.memberId !== memberId) continue;
      p.accessRevoked = true;
      p.refreshRevoked = true;
    }
    for (const [code, c] of this.codes) if (c.memberId === memberId) this.codes.delete(code);
  }

  live(): TokenPairInfo[] {
    const now = this.clock.nowMs();
    const out: TokenPairInfo[] = [];
    for (const p of this.byAccess.values()) {
      const refreshAlive = !p.refreshUsed && !p.refreshRevoked && p.refreshExpiresMs > now;
      if (!refreshAlive && (p.accessRevoked || p.accessExpiresMs <= now)) continue;
      out.push({
        memberId: p.memberId,
        userId: p.userId,
        access: p.access,
        refresh: p.refresh,
        expires: Math.floor(p.accessExpiresMs / 1000),
        refreshExpires: Math.floor(p.refreshExpiresMs / 1000),
        accessExpired: p.accessRevoked || p.accessExpiresMs <= now,
      });
    }
    return out;
  }
}
