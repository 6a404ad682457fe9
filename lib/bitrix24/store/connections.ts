import "server-only";
import { db } from "@/lib/db";
import type { B24Config } from "../config";
import { portalStatusAfter } from "../lifecycle/states";
import { sealAppToken } from "../tokens/app-token";
import { vouchedPortalFields, type VouchedPortal } from "./portal-fields";
import { storeIssuedPair, type TokenKind } from "./token-store";

/**
 * The one write behind every verified connection: a standalone sign-in, a frame open at the app URL, and an install
 * (ONAPPINSTALL, ONAPPUPDATE, the installer page). Portal, user and token pair are stored in one transaction, so a
 * concurrent duplicate sees none or all of it; the portal's status comes from the state machine for the event, which
 * also refuses (throws) what it must not do, e.g. reviving an uninstalled portal by a sign-in.
 */
export interface ConnectionInput {
  memberId: string;
  /** Columns the pinned OAuth server vouched for (token answer or app.info), never posted ones. */
  vouched: VouchedPortal;
  event: "sign_in" | "frame_open" | "install";
  /** The person: a full profile, or only an id when an event names the installer. */
  user: { bitrixUserId: number; profile?: { name: string; email: string | null; isAdmin: boolean; language?: string } };
  pair: { kind: TokenKind; accessToken: string; refreshToken: string; expiresAt: Date };
  /** An install: the installer (whose pair is the portal's) and the new application_token, when Bitrix24 sent one. */
  install?: { applicationToken: string | null; language?: string | null };
  /**
   * An administrator's frame open re-seeds a dead or missing installer pair: they become the installer, and their
   * own dead pair goes (one pair cannot serve two rows: refresh tokens are single-use).
   */
  seedInstaller?: boolean;
}

/** Attempts when two deliveries race to create the same portal row (PostgreSQL answers the loser with P2002). */
const UNIQUE_RACE_ATTEMPTS = 3;
const isUniqueViolation = (err: unknown) => typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";

export async function saveConnection(input: ConnectionInput, cfg: B24Config): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction((tx) => write(tx, input, cfg));
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= UNIQUE_RACE_ATTEMPTS) throw err;
    }
  }
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

async function write(tx: Tx, input: ConnectionInput, cfg: B24Config): Promise<void> {
  const { memberId, user, pair } = input;
  const current = await tx.portal.findUnique({ where: { memberId }, select: { status: true } });
  const status = portalStatusAfter(current?.status, input.event)!;
  const installer = input.install !== undefined || input.seedInstaller === true;
  const portal = {
    ...vouchedPortalFields(input.vouched, status),
    ...(installer ? { installedBy: user.bitrixUserId } : {}),
    ...(input.install ? { installedAt: new Date(), uninstalledAt: null } : {}),
    ...(input.install?.language ? { language: input.install.language } : {}),
    ...(input.install?.applicationToken ? { applicationToken: sealAppToken(memberId, input.install.applicationToken, cfg.ring) } : {}),
  };
  await tx.portal.upsert({ where: { memberId }, create: { memberId, ...portal }, update: portal });

  const key = { memberId_bitrixUserId: { memberId, bitrixUserId: user.bitrixUserId } };
  // Only administrators can install an app, so an installer known by id alone is one; sign-ins refresh the profile.
  const profile = user.profile ? { ...user.profile, lastLoginAt: new Date() } : null;
  await tx.user.upsert({ where: key, create: { memberId, bitrixUserId: user.bitrixUserId, ...(profile ?? { isAdmin: true }) }, update: profile ?? {} });

  if (installer) {
    // One installer pair per portal: a new installer's replaces the previous one's.
    await tx.tokenPair.deleteMany({ where: { memberId, kind: "portal", bitrixUserId: { not: user.bitrixUserId } } });
  }
  if (input.seedInstaller) {
    await tx.tokenPair.deleteMany({ where: { memberId, kind: "user", bitrixUserId: user.bitrixUserId, status: { not: "active" } } });
  }
  await storeIssuedPair({ memberId, bitrixUserId: user.bitrixUserId, ...pair }, tx);
}
