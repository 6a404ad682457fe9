import "server-only";
import { db } from "@/lib/db";
import type { TokenPair as TokenPairRow } from "@/lib/generated/prisma/client";
import { b24Config } from "./config";
import { decryptToken, encryptToken, type KeyRing } from "./crypto";

/**
 * The one module that owns token rows. Rows hold only encrypted envelopes; the mappers below are the only
 * code that turns rows into usable pairs and back. Every read is scoped by memberId.
 */
export type TokenKind = "user" | "portal";

export interface TokenOwner {
  memberId: string;
  kind: TokenKind;
  bitrixUserId: number;
}

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

/** AAD binding: a ciphertext only decrypts in the row and column it was written for. */
export function tokenBinding(owner: TokenOwner, column: "access" | "refresh"): string {
  return `${owner.memberId}|${owner.kind}:${owner.bitrixUserId}|${column}`;
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

export function rowToPair(row: TokenPairRow, ring: KeyRing): TokenPair {
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

/** Stores a pair the OAuth server just issued (sign-in or install), replacing any previous one. */
export async function storeIssuedPair(pair: Omit<TokenPair, "version">, tx: Tx = db()): Promise<void> {
  const row = pairToRow(pair, b24Config().ring);
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

export async function loadHealth(owner: TokenOwner): Promise<TokenHealth | null> {
  const row = await db().tokenPair.findUnique({
    where: { memberId_kind_bitrixUserId: { memberId: owner.memberId, kind: owner.kind, bitrixUserId: owner.bitrixUserId } },
    select: { expiresAt: true, lastRefreshAt: true, refreshFailures: true, lastError: true },
  });
  return row;
}
