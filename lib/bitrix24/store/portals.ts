import "server-only";
import { db } from "@/lib/db";
import { processLocal } from "@/lib/process-local";
import { portalStatusAfter, portalStatusOf, type PortalEvent, type PortalStatus } from "../lifecycle/states";

/**
 * Portal and user rows: the only module besides token-store.ts that reads or writes them (a test fails otherwise).
 * Every read is by the portal's member_id (the tenant), and the row mappers below are the only shapes that leave.
 */
export interface PortalRow {
  memberId: string;
  domain: string;
  clientEndpoint: string;
  scope: string;
  status: PortalStatus;
  statusReason: string | null;
  appStatus: string | null;
  /** Sealed (tokens/app-token.ts); compared, never sent. */
  applicationToken: string | null;
  installedBy: number | null;
  installedAt: Date | null;
  lastEventName: string | null;
  lastEventAt: Date | null;
  /** Origin of the configured OAuth server that issued the portal's tokens; null = the default (rows from before regions). */
  oauthServer: string | null;
}

const PORTAL_COLUMNS = {
  memberId: true, domain: true, clientEndpoint: true, scope: true, status: true, statusReason: true, appStatus: true,
  applicationToken: true, installedBy: true, installedAt: true, lastEventName: true, lastEventAt: true,
  oauthServer: true,
} as const;

function toPortal(row: Omit<PortalRow, "status"> & { status: string }): PortalRow {
  return { ...row, status: portalStatusOf(row.status) ?? "active" };
}

export async function findPortal(memberId: string): Promise<PortalRow | null> {
  const row = await db().portal.findUnique({ where: { memberId }, select: PORTAL_COLUMNS });
  return row && toPortal(row);
}

/** Member ids of portals with a stored install that is not uninstalled (background sweeps walk these), in pages. */
export async function installedPortalIds(opts: { after?: string; take: number }): Promise<string[]> {
  const rows = await db().portal.findMany({
    where: { status: { not: "uninstalled" }, installedBy: { not: null }, ...(opts.after ? { memberId: { gt: opts.after } } : {}) },
    orderBy: { memberId: "asc" },
    take: opts.take,
    select: { memberId: true },
  });
  return rows.map((r) => r.memberId);
}

/**
 * Moves a portal by one event of the state machine (lifecycle/states.ts). Compare-and-set on the status it read,
 * so a concurrent transition (an uninstall, a reinstall) is never overwritten. Returns the status after.
 */
export async function transitionPortal(memberId: string, event: PortalEvent, reason: string | null, extra: { appStatus?: string } = {}): Promise<PortalStatus | null> {
  const current = await db().portal.findUnique({ where: { memberId }, select: { status: true } });
  const next = current && portalStatusAfter(current.status, event);
  if (!current || !next) return null;
  if (next === current.status) return next;
  await db().portal.updateMany({ where: { memberId, status: current.status }, data: { status: next, statusReason: reason?.slice(0, 200) ?? null, ...extra } });
  return next;
}

/** Why an active portal needs a look without being blocked; the next vouched sign-in or install clears it. */
export const UNTRUSTED_ENDPOINT = "UNTRUSTED_ENDPOINT";

/**
 * Marks an active portal whose OAuth answer named a REST address this app refuses (checklist item 23): nothing is
 * sent there and the doctor says so. Its status is unchanged, so other users' pairs keep working; the vouched
 * fields a sign-in or install writes (portal-fields.ts) reset the reason.
 */
export async function flagUntrustedEndpoint(memberId: string): Promise<void> {
  await db().portal.updateMany({ where: { memberId, status: "active" }, data: { statusReason: UNTRUSTED_ENDPOINT } });
}

/** The OAuth server reported a new REST address for the portal (a renamed portal), during a refresh. */
export async function movePortal(memberId: string, clientEndpoint: string, domain: string): Promise<void> {
  await db().portal.update({ where: { memberId }, data: { clientEndpoint, domain } });
}

/**
 * The doctor's "last event received". Business events pass `throttle`: at most one write per portal and event every
 * RECORD_EVERY_MS per process, since every delivery of a burst writing the same portal row would serialise the
 * burst on that row's lock. Lifecycle events are rare and always recorded.
 */
const RECORD_EVERY_MS = 5_000;
const recorded = () => processLocal("recorded-events", () => new Map<string, number>());

export async function recordEvent(memberId: string, event: string, opts: { throttle?: boolean; now?: number } = {}): Promise<void> {
  const now = opts.now ?? Date.now();
  if (opts.throttle) {
    const key = `${memberId}|${event}`;
    const last = recorded().get(key);
    if (last !== undefined && now - last < RECORD_EVERY_MS) return;
    if (recorded().size > 10_000) recorded().clear();
    recorded().set(key, now);
  }
  await db().portal.updateMany({ where: { memberId, status: { not: "uninstalled" } }, data: { lastEventName: event, lastEventAt: new Date(now) } });
}

/**
 * ONAPPUNINSTALL: conditional on the sealed token that authenticated it, so a reinstall that committed meanwhile is
 * not undone. Every token row goes; the portal row stays as a tombstone holding the old token (a replay is a no-op).
 */
export async function uninstallPortal(memberId: string, sealedToken: string | null, at: Date): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const current = await tx.portal.findUnique({ where: { memberId }, select: { status: true } });
    if (!current) return false;
    const r = await tx.portal.updateMany({
      where: { memberId, status: { not: "uninstalled" }, applicationToken: sealedToken },
      data: { status: portalStatusAfter(current.status, "uninstall")!, statusReason: "ONAPPUNINSTALL", uninstalledAt: at, lastEventName: "ONAPPUNINSTALL", lastEventAt: at },
    });
    if (r.count === 1) await tx.tokenPair.deleteMany({ where: { memberId } });
    return r.count === 1;
  });
}

/** `data[CLEAN]=1`: deletes what the app keeps for a portal, unless a reinstall happened since the uninstall at `at`. */
export async function purgePortal(memberId: string, at: Date): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const still = await tx.portal.updateMany({
      where: { memberId, status: "uninstalled", uninstalledAt: at },
      data: { installedBy: null, scope: "", statusReason: "ONAPPUNINSTALL CLEAN" },
    });
    if (still.count !== 1) return false;
    await tx.tokenPair.deleteMany({ where: { memberId } });
    await tx.user.deleteMany({ where: { memberId } });
    await tx.rateBucket.deleteMany({ where: { memberId } });
    await tx.inboxJob.deleteMany({ where: { memberId } });
    return true;
  });
}

export interface UserRow {
  bitrixUserId: number;
  name: string;
  email: string | null;
  isAdmin: boolean;
}

export async function findUser(memberId: string, bitrixUserId: number): Promise<UserRow | null> {
  return db().user.findUnique({
    where: { memberId_bitrixUserId: { memberId, bitrixUserId } },
    select: { name: true, email: true, isAdmin: true, bitrixUserId: true },
  });
}
