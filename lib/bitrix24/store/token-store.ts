import "server-only";
import { db } from "@/lib/db";
import type { TokenPair as TokenPairRow } from "@/lib/generated/prisma/client";
import { b24Config } from "../config";
import { decryptToken, encryptToken, envelopeKid, type KeyRing } from "../tokens/crypto";
import { openAppToken, sealAppToken } from "../tokens/app-token";
import { pairAfter, type PairStatus } from "../lifecycle/states";
import { tokenBinding, type TokenKind, type TokenOwner } from "../tokens/token-binding";

/**
 * The one module that owns token rows (portals.ts and connections.ts own the rest of the persistence module; a test
 * fails when any other module touches these tables). Rows hold only encrypted envelopes; the mappers below are the
 * only code that turns rows into usable pairs and back. Every read is scoped by memberId.
 */
export type { TokenKind, TokenOwner };

export interface TokenPair extends TokenOwner {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  version: number;
}

/** Token metadata that is safe to show (no secrets), e.g. on the dashboard and the doctor. */
export interface TokenHealth {
  status: PairStatus;
  expiresAt: Date;
  lastRefreshAt: Date | null;
  refreshFailures: number;
  lastError: string | null;
}

export function pairToRow(pair: Omit<TokenPair, "version">, ring: KeyRing) {
  return {
    memberId: pair.memberId,
    kind: pair.kind,
    bitrixUserId: pair.bitrixUserId,
    accessToken: encryptToken(pair.accessToken, tokenBinding(pair, "access"), ring),
    refreshToken: encryptToken(pair.refreshToken, tokenBinding(pair, "refresh"), ring),
    expiresAt: pair.expiresAt,
  };
}

export function rowToPair(row: Pick<TokenPairRow, "memberId" | "kind" | "bitrixUserId" | "accessToken" | "refreshToken" | "expiresAt" | "version">, ring: KeyRing): TokenPair {
  const owner: TokenOwner = { memberId: row.memberId, kind: row.kind as TokenKind, bitrixUserId: row.bitrixUserId };
  return {
    ...owner,
    accessToken: decryptToken(row.accessToken, tokenBinding(owner, "access"), ring),
    refreshToken: decryptToken(row.refreshToken, tokenBinding(owner, "refresh"), ring),
    expiresAt: row.expiresAt,
    version: row.version,
  };
}

type Tx = Pick<ReturnType<typeof db>, "tokenPair">;

/** A token row with the two portal columns every REST call needs (whether the portal is usable, where it lives). */
export type PairWithPortal = Pick<
  TokenPairRow,
  "id" | "memberId" | "kind" | "bitrixUserId" | "accessToken" | "refreshToken" | "expiresAt" | "version" | "status" | "refreshFailures" | "updatedAt"
> & { portal: { status: string; clientEndpoint: string } };

interface JoinedRow extends Omit<PairWithPortal, "portal" | "version" | "bitrixUserId" | "refreshFailures"> {
  version: number | bigint;
  bitrixUserId: number | bigint;
  refreshFailures: number | bigint;
  portalStatus: string;
  clientEndpoint: string;
}

function joinedRowToPairWithPortal(r: JoinedRow): PairWithPortal {
  const { portalStatus, clientEndpoint, ...pair } = r;
  return {
    ...pair,
    version: Number(r.version),
    bitrixUserId: Number(r.bitrixUserId),
    refreshFailures: Number(r.refreshFailures),
    expiresAt: new Date(r.expiresAt),
    updatedAt: new Date(r.updatedAt),
    portal: { status: portalStatus, clientEndpoint },
  };
}

/**
 * The read behind every REST call, so it is one plain join rather than a relation query: through Prisma's query
 * compiler a findUnique with `include` costs about three times as much (bench/proxy-overhead.ts). Identifiers are
 * quoted, so the same text runs on SQLite and PostgreSQL; the values are bound parameters.
 */
export async function loadPairWithPortal(owner: TokenOwner): Promise<PairWithPortal | null> {
  const rows = await db().$queryRaw<JoinedRow[]>`
    SELECT t."id", t."memberId", t."kind", t."bitrixUserId", t."accessToken", t."refreshToken", t."expiresAt", t."version",
           t."status", t."refreshFailures", t."updatedAt", p."status" AS "portalStatus", p."clientEndpoint"
    FROM "TokenPair" t JOIN "Portal" p ON p."memberId" = t."memberId"
    WHERE t."memberId" = ${owner.memberId} AND t."kind" = ${owner.kind} AND t."bitrixUserId" = ${owner.bitrixUserId}`;
  return rows[0] ? joinedRowToPairWithPortal(rows[0]) : null;
}

/**
 * Stores a pair the OAuth server just issued or vouched for (sign-in, frame open, install), replacing any previous
 * one. A verified new pair is always usable: the status is reset with the tokens (lifecycle.ts, event "issued").
 */
export async function storeIssuedPair(pair: Omit<TokenPair, "version">, tx: Tx = db()): Promise<void> {
  const row = { ...pairToRow(pair, b24Config().ring), status: pairAfter(null, "issued") };
  await tx.tokenPair.upsert({
    where: { memberId_kind_bitrixUserId: { memberId: pair.memberId, kind: pair.kind, bitrixUserId: pair.bitrixUserId } },
    create: row,
    update: { ...row, version: { increment: 1 }, leaseOwner: null, leaseUntil: null, refreshFailures: 0, lastError: null },
  });
}

export async function loadPair(owner: TokenOwner): Promise<TokenPair | null> {
  const row = await db().tokenPair.findUnique({
    where: { memberId_kind_bitrixUserId: { memberId: owner.memberId, kind: owner.kind, bitrixUserId: owner.bitrixUserId } },
  });
  return row ? rowToPair(row, b24Config().ring) : null;
}

export async function pairExists(owner: TokenOwner): Promise<boolean> {
  const row = await db().tokenPair.findUnique({
    where: { memberId_kind_bitrixUserId: { memberId: owner.memberId, kind: owner.kind, bitrixUserId: owner.bitrixUserId } },
    select: { id: true },
  });
  return row !== null;
}

export async function loadHealth(owner: TokenOwner): Promise<TokenHealth | null> {
  const row = await db().tokenPair.findUnique({
    where: { memberId_kind_bitrixUserId: { memberId: owner.memberId, kind: owner.kind, bitrixUserId: owner.bitrixUserId } },
    select: { status: true, expiresAt: true, lastRefreshAt: true, refreshFailures: true, lastError: true },
  });
  return row && { ...row, status: row.status === "active" ? "active" : "needs_reauth" };
}

/** An installer pair the keep-alive scan found idle (inbox/keepalive.ts): owner and states only, never a token. */
export interface IdlePortalPair {
  id: string;
  memberId: string;
  bitrixUserId: number;
  version: number;
  status: string;
  portalStatus: string;
  /** Whether this is the pair background work uses (the portal's installedBy), not a leftover. */
  isInstaller: boolean;
}

/**
 * Installer pairs (kind "portal") whose refresh token was obtained at or before `before`, a page at a time by id.
 * The token is as new as the latest of: the last refresh (commitRefreshed sets lastRefreshAt), the row's creation,
 * and the portal's last install (persistInstall stores the installer's pair in the same transaction). Only a
 * re-seed by an administrator's frame open is missed, which makes a pair look older, never younger: at worst one
 * refresh too early. The one read that spans tenants; each pair is then read by its memberId through the refresh
 * path (tokens/refresh.ts).
 */
export async function idlePortalPairs(before: Date, opts: { afterId?: string; take: number }): Promise<IdlePortalPair[]> {
  const rows = await db().tokenPair.findMany({
    where: {
      kind: "portal",
      ...(opts.afterId ? { id: { gt: opts.afterId } } : {}),
      createdAt: { lte: before },
      OR: [{ lastRefreshAt: null }, { lastRefreshAt: { lte: before } }],
      portal: { OR: [{ installedAt: null }, { installedAt: { lte: before } }] },
    },
    orderBy: { id: "asc" },
    take: opts.take,
    select: { id: true, memberId: true, bitrixUserId: true, version: true, status: true, portal: { select: { status: true, installedBy: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    memberId: r.memberId,
    bitrixUserId: r.bitrixUserId,
    version: r.version,
    status: r.status,
    portalStatus: r.portal.status,
    isInstaller: r.portal.installedBy === r.bitrixUserId,
  }));
}

/*
 * The refresh protocol's writes (tokens/refresh.ts). Each is a compare-and-swap on the row's id with its version
 * and/or lease owner, so an instance whose lease expired can never overwrite a newer pair. Unsafe to loosen.
 */

/** Takes the row's refresh lease when it is free or expired and the version is still the one read. */
export async function takeLease(row: { id: string; version: number }, owner: string, leaseMs: number): Promise<boolean> {
  const now = Date.now();
  const lease = await db().tokenPair.updateMany({
    where: { id: row.id, version: row.version, OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date(now) } }] },
    data: { leaseOwner: owner, leaseUntil: new Date(now + leaseMs) },
  });
  return lease.count === 1;
}

/**
 * Commits a refreshed pair: fenced by the lease; if the lease expired meanwhile, still written unless someone else
 * already wrote a newer pair (the version moved). False means the new pair could not be saved.
 */
export async function commitRefreshed(row: { id: string; version: number }, owner: string, next: Omit<TokenPair, "version">): Promise<boolean> {
  const data = {
    ...pairToRow(next, b24Config().ring),
    status: pairAfter("active", "refreshed"),
    version: row.version + 1,
    leaseOwner: null,
    leaseUntil: null,
    lastRefreshAt: new Date(),
    refreshFailures: 0,
    lastError: null,
  };
  let written = await db().tokenPair.updateMany({ where: { id: row.id, leaseOwner: owner, version: row.version }, data });
  if (written.count === 0) written = await db().tokenPair.updateMany({ where: { id: row.id, version: row.version }, data });
  return written.count === 1;
}

/** A transient failure (OAuth 5xx, timeout): the pair is kept, the failure counted for backoff. */
export async function recordRefreshFailure(id: string, owner: string, code: string): Promise<void> {
  await db().tokenPair.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null, refreshFailures: { increment: 1 }, lastError: code } });
}

export async function releaseLease(id: string, owner: string, lastError: string): Promise<void> {
  await db().tokenPair.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null, lastError } });
}

/** Only the version that failed: a pair stored meanwhile (a new sign-in) is never killed by an old failure. */
export async function markPairDead(row: { id: string; version: number; status: string }, reason: string): Promise<void> {
  const status = pairAfter(row.status === "active" ? "active" : "needs_reauth", "refresh_refused");
  await db().tokenPair.updateMany({ where: { id: row.id, version: row.version }, data: { status, lastError: reason, leaseOwner: null, leaseUntil: null } });
}

export interface RotationReport {
  scanned: number;
  rewritten: number;
  /** Rows changed by a concurrent refresh while we worked; they were written with the current key anyway. */
  skipped: number;
  /** Rows no key in the ring can open (their portals must sign in / reinstall again). */
  unreadable: number;
}

/**
 * Re-encrypts every token row still written with an older key (`npm run tokens:rotate`). Compare-and-swap on
 * `version`, so a refresh running at the same time is never overwritten with its predecessor.
 */
export async function reencryptAll(ring: KeyRing = b24Config().ring, pageSize = 200): Promise<RotationReport> {
  const current = ring.keys[0]!.kid;
  const report: RotationReport = { scanned: 0, rewritten: 0, skipped: 0, unreadable: 0 };
  for (let cursor: string | undefined; ; ) {
    const rows = await db().tokenPair.findMany({ take: pageSize, orderBy: { id: "asc" }, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });
    if (rows.length === 0) {
      await reencryptAppTokens(ring, report);
      return report;
    }
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      report.scanned++;
      if (envelopeKid(row.accessToken) === current && envelopeKid(row.refreshToken) === current) continue;
      let pair: TokenPair;
      try {
        pair = rowToPair(row, ring);
      } catch {
        report.unreadable++;
        continue;
      }
      const { accessToken, refreshToken } = pairToRow(pair, ring);
      const done = await db().tokenPair.updateMany({ where: { id: row.id, version: row.version }, data: { accessToken, refreshToken } });
      if (done.count === 1) report.rewritten++;
      else report.skipped++;
    }
  }
}

async function reencryptAppTokens(ring: KeyRing, report: RotationReport): Promise<void> {
  const current = ring.keys[0]!.kid;
  const portals = await db().portal.findMany({ where: { applicationToken: { not: null } }, select: { id: true, memberId: true, applicationToken: true } });
  for (const p of portals) {
    report.scanned++;
    const stored = p.applicationToken!;
    if (envelopeKid(stored) === current) continue;
    let clear: string;
    try {
      clear = openAppToken(p.memberId, stored, ring);
    } catch {
      report.unreadable++;
      continue;
    }
    const done = await db().portal.updateMany({ where: { id: p.id, applicationToken: stored }, data: { applicationToken: sealAppToken(p.memberId, clear, ring) } });
    if (done.count === 1) report.rewritten++;
    else report.skipped++;
  }
}
