import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { sealAppToken } from "../tokens/app-token";
import { b24Config } from "../config";
import { isB24Error } from "../../errors";
import { clientFor } from "../index";
import { storeIssuedPair } from "../store/token-store";
import type { VerifiedToken } from "../oauth/verify";
import { portalStatusAfter } from "./states";
import { vouchedPortalFields } from "../store/portal-fields";

/**
 * What an install (ONAPPINSTALL, ONAPPUPDATE, or the installer page) leaves in the database. Callers pass only
 * OAuth-server-vouched identity (`verified`); the tokens are the ones that verification just accepted.
 */
export interface InstallInput {
  verified: VerifiedToken;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  applicationToken: string | null;
  installedBy: number;
}

/** Attempts when two deliveries race to create the same portal row (PostgreSQL answers the loser with P2002). */
const UNIQUE_RACE_ATTEMPTS = 3;

const isUniqueViolation = (err: unknown) => typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";

/**
 * Stores/refreshes the portal (status active, installedAt, uninstalledAt null, clientEndpoint/domain from
 * `verified`), the application_token (sealed) when given, the installer's User row, and the kind="portal" pair.
 * One transaction, so a concurrent duplicate delivery sees either none or all of it; a lost create race is retried
 * and then takes the update path.
 */
export async function persistInstall(input: InstallInput): Promise<void> {
  const cfg = b24Config();
  const { verified: v } = input;
  const now = new Date();
  const portal = {
    ...vouchedPortalFields(v, cfg, portalStatusAfter(null, "install")!),
    installedBy: input.installedBy,
    installedAt: now,
    uninstalledAt: null,
    ...(input.applicationToken ? { applicationToken: sealAppToken(v.memberId, input.applicationToken, cfg.ring) } : {}),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await db().$transaction(async (tx) => {
        await tx.portal.upsert({ where: { memberId: v.memberId }, create: { memberId: v.memberId, ...portal }, update: portal });
        // Only administrators can install an app, so the installer is one; later sign-ins refresh the profile.
        await tx.user.upsert({
          where: { memberId_bitrixUserId: { memberId: v.memberId, bitrixUserId: input.installedBy } },
          create: { memberId: v.memberId, bitrixUserId: input.installedBy, isAdmin: true },
          update: {},
        });
        // One portal pair per portal: a reinstall by another admin replaces the previous installer's pair.
        await tx.tokenPair.deleteMany({ where: { memberId: v.memberId, kind: "portal", bitrixUserId: { not: input.installedBy } } });
        await storeIssuedPair(
          { memberId: v.memberId, kind: "portal", bitrixUserId: input.installedBy, accessToken: input.accessToken, refreshToken: input.refreshToken, expiresAt: input.expiresAt },
          tx,
        );
      });
      log.info("b24.install.stored", { memberId: v.memberId, installedBy: input.installedBy });
      return;
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= UNIQUE_RACE_ATTEMPTS) throw err;
    }
  }
}

/**
 * Events every installation binds; Bitrix24 only sends ONAPPUNINSTALL to apps that bound it, and ONAPPPAYMENT is how
 * a blocked portal learns it was paid for (https://apidocs.bitrix24.com/api-reference/common/events/index.html).
 */
export const APP_EVENTS: readonly string[] = Object.freeze(["ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT"]);

/** Bitrix24's answer to a duplicate event.bind (400 ERROR_CORE). */
const ALREADY_BOUND = /already (binded|bound|exists)/i;

export function eventsHandlerUrl(): string {
  return new URL("/api/b24/events", env().NEXTAUTH_URL).toString();
}

/**
 * event.bind for each APP_EVENTS to `${NEXTAUTH_URL}/api/b24/events` with the portal pair; "Handler already
 * binded" (400 ERROR_CORE) counts as bound. Any other failure throws (the installer shows it).
 */
export async function bindAppEvents(memberId: string): Promise<{ bound: string[]; already: string[] }> {
  const portal = await db().portal.findUniqueOrThrow({ where: { memberId }, select: { installedBy: true } });
  if (portal.installedBy === null) throw new Error("bindAppEvents needs a stored install (persistInstall first).");
  const client = clientFor({ memberId, kind: "portal", bitrixUserId: portal.installedBy });
  const handler = eventsHandlerUrl();
  const out = { bound: [] as string[], already: [] as string[] };
  for (const event of APP_EVENTS) {
    try {
      await client.call("event.bind", { event, handler });
      out.bound.push(event);
    } catch (err) {
      const duplicate = isB24Error(err) && (err.upstream === "ERROR_CORE" || err.upstream === "ERROR_HANDLER_ALREADY_EXIST") && ALREADY_BOUND.test(err.message);
      if (!duplicate) throw err;
      out.already.push(event);
    }
  }
  log.info("b24.install.events_bound", { memberId, bound: out.bound, already: out.already });
  return out;
}
