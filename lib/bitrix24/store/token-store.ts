import "server-only";
import { db } from "@/lib/db";
import type { TokenPair as TokenPairRow } from "@/lib/generated/prisma/client";
import { b24Config } from "../config";
import { decryptToken, encryptToken, envelopeKid, type KeyRing } from "../tokens/crypto";
import { openAppToken, sealAppToken } from "../tokens/app-token";
import { pairAfter } from "../lifecycle/states";
import { tokenBinding, type TokenKind, type TokenOwner } from "../tokens/token-binding";

/**
 * The one module that owns token rows. Rows hold only encrypted envelopes; the mappers below are the only
 * code that turns rows into usable pairs and back. Every read is scoped by memberId.
 */
export type { TokenKind, TokenOwner };

export interface TokenPair extends TokenOwner {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  version: number;
}

/** Token metadata that is safe to show (no secrets), e.g. on the dashboard. */
export interface TokenHealth {
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
    select: { expiresAt: true, lastRefreshAt: true, refreshFailures: true, lastError: true },
  });
  return row;
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
