import "server-only";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { b24Config } from "../config";
import { isB24Error } from "@/lib/errors";
import { clientFor } from "../clients";
import { boundEvents, offlineEvents } from "../registry";
import { syncPlacements, type PlacementSync } from "./placements";
import { syncRobots, type RobotSync } from "./robots";
import { saveConnection } from "../store/connections";
import { findPortal } from "../store/portals";
import type { VerifiedToken } from "../oauth/verify";

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
  /** The installer's profile when a frame shows who they are; an event names them by id only. */
  profile?: { name: string; email: string | null; isAdmin: boolean; language?: string };
  /** The portal's language (ONAPPINSTALL data[LANGUAGE_ID]), a two-letter Bitrix24 code. */
  language?: string | null;
}

/** The portal (active), the sealed application_token, the installer's user row and pair (kind "portal"), at once. */
export async function persistInstall(input: InstallInput): Promise<void> {
  const { verified: v } = input;
  await saveConnection(
    {
      memberId: v.memberId,
      vouched: v,
      event: "install",
      user: { bitrixUserId: input.installedBy, profile: input.profile },
      pair: { kind: "portal", accessToken: input.accessToken, refreshToken: input.refreshToken, expiresAt: input.expiresAt },
      install: { applicationToken: input.applicationToken, language: input.language },
    },
    b24Config(),
  );
  log.info("b24.install.stored", { memberId: v.memberId, installedBy: input.installedBy });
}

/** Bitrix24's answer to a duplicate event.bind (400 ERROR_CORE). */
const ALREADY_BOUND = /already (binded|bound|exists)/i;

export function eventsHandlerUrl(): string {
  return new URL("/api/b24/events", env().NEXTAUTH_URL).toString();
}

/**
 * event.bind for the lifecycle events and every online event of the manifest (registry.ts boundEvents) to
 * `${NEXTAUTH_URL}/api/b24/events` with the portal pair, and the manifest's offline events with event_type=offline;
 * "Handler already binded" (400 ERROR_CORE) counts as bound.
 * Then the manifest's placements (placements.ts syncPlacements) and robots (robots.ts syncRobots, acting for the
 * installer). Any other failure throws (the installer shows it). ONAPPUPDATE runs it again: Bitrix24 drops
 * handlers and robots on update.
 */
export async function bindAppEvents(memberId: string): Promise<{ bound: string[]; already: string[]; placements: PlacementSync; robots: RobotSync }> {
  const portal = await findPortal(memberId);
  if (!portal || portal.installedBy === null) throw new Error("bindAppEvents needs a stored install (persistInstall first).");
  const client = clientFor({ memberId, kind: "portal", bitrixUserId: portal.installedBy });
  const handler = eventsHandlerUrl();
  const out = { bound: [] as string[], already: [] as string[] };
  const binds = [
    ...boundEvents().map((event) => ({ label: event, params: { event, handler } })),
    // Offline events have no handler URL: Bitrix24 queues them for the app (admin only).
    ...offlineEvents().map((event) => ({ label: `${event} (offline)`, params: { event, event_type: "offline" } })),
  ];
  for (const { label, params } of binds) {
    try {
      await client.call("event.bind", params);
      out.bound.push(label);
    } catch (err) {
      const duplicate = isB24Error(err) && (err.upstream === "ERROR_CORE" || err.upstream === "ERROR_HANDLER_ALREADY_EXIST") && ALREADY_BOUND.test(err.message);
      if (!duplicate) throw err;
      out.already.push(label);
    }
  }
  const placements = await syncPlacements(client);
  const robots = await syncRobots(client, portal.installedBy);
  log.info("b24.install.events_bound", { memberId, bound: out.bound, already: out.already, placements, robots });
  return { ...out, placements, robots };
}
