import "server-only";
import { db } from "@/lib/db";
import { processLocal } from "@/lib/process-local";
import { parseAppInfo, type AppInfoLicence, type LicenceSnapshot } from "../licence-state";

/**
 * The licence snapshot on the portal row: what the portal's own app.info last said (lib/bitrix24/licence.ts). Written
 * only from Bitrix24's answer to a call the app made with its stored pair, never from a delivery's body.
 */
export interface StoredLicence extends LicenceSnapshot {
  memberId: string;
  domain: string;
  installedBy: number | null;
}

export async function loadLicence(memberId: string): Promise<StoredLicence | null> {
  const row = await db().portal.findUnique({
    where: { memberId },
    select: { memberId: true, domain: true, installedBy: true, status: true, statusReason: true, appStatus: true, paymentExpired: true, licenceDays: true, licenceFamily: true, licenceCheckedAt: true },
  });
  if (!row) return null;
  return {
    memberId: row.memberId, domain: row.domain, installedBy: row.installedBy, portalStatus: row.status, statusReason: row.statusReason,
    appStatus: row.appStatus, paymentExpired: row.paymentExpired, days: row.licenceDays, family: row.licenceFamily, checkedAt: row.licenceCheckedAt,
  };
}

/** Stores app.info's answer; an uninstalled portal keeps its tombstone untouched. */
export async function saveLicence(memberId: string, info: AppInfoLicence, at: Date): Promise<void> {
  await db().portal.updateMany({
    where: { memberId, status: { not: "uninstalled" } },
    data: { appStatus: info.appStatus, paymentExpired: info.paymentExpired, licenceDays: info.days, licenceFamily: info.family, licenceCheckedAt: at },
  });
}

/** The app's CODE per portal from the last app.info this process read (the Market card's address; not a column). */
const codes = processLocal("b24.licence.codes", () => new Map<string, string>());

export function appCodeOf(memberId: string): string | null {
  return codes.get(memberId) ?? null;
}

/** A portal app.info answer (the `result` object) stored as the snapshot; null (nothing stored) when it is not one. */
export async function recordAppInfo(memberId: string, result: unknown, at = new Date()): Promise<AppInfoLicence | null> {
  const info = parseAppInfo(result);
  if (!info) return null;
  await saveLicence(memberId, info, at);
  if (info.code) codes.set(memberId, info.code);
  return info;
}

/** Installed portals whose snapshot was never read or read before `before` (the daily re-read walks these), in pages. */
export async function staleLicencePortals(before: Date, opts: { after?: string; take: number }): Promise<string[]> {
  const rows = await db().portal.findMany({
    where: {
      status: { not: "uninstalled" },
      installedBy: { not: null },
      OR: [{ licenceCheckedAt: null }, { licenceCheckedAt: { lt: before } }],
      ...(opts.after ? { memberId: { gt: opts.after } } : {}),
    },
    orderBy: { memberId: "asc" },
    take: opts.take,
    select: { memberId: true },
  });
  return rows.map((r) => r.memberId);
}
