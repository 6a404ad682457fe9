import { errorPage } from "./pages";
import type { Reply } from "./http";
import type { EmulatorState, PortalState } from "./state";
import type { DeliveryResult } from "./types";

/**
 * The app's licence on one portal, as Bitrix24's core keeps it (extensions §5; core lib/app.php getAppStatusInfo):
 * a STATUS letter and a DATE_FINISH. From them `app.info` reports PAYMENT_EXPIRED and DAYS (floor of the days to the
 * end, negative after it, null without an end), and the portal blocks the app: a trial (T) or subscription (S) at
 * once after its end, a paid app (P) after a 14-day grace. Blocked = `paymentRequired`, which the REST handler, the
 * OAuth token endpoint, robots, events and the app page already honour. Portals without a set licence keep the
 * app-wide status (EmulatorOptions.app.status) and no end.
 */
export const LICENCE_STATUSES = ["F", "D", "T", "P", "L", "S"] as const;
export type LicenceStatus = (typeof LICENCE_STATUSES)[number];
/** Core PAID_GRACE_PERIOD = -14. */
export const PAID_GRACE_DAYS = 14;
const DAY_MS = 86_400_000;

export interface AppLicence {
  status: string;
  /** DATE_FINISH in emulator-clock ms, or null (no end). */
  finishMs: number | null;
  /** LICENSE, the portal's plan with its region prefix (e.g. de_ent10000); null = from the portal's plan. */
  license: string | null;
}

export interface LicenceRequest {
  status: string;
  /** Days to the end as app.info's DAYS will say it now (negative = ended that many days ago). */
  daysLeft?: number | null;
  /** Or the end itself: ISO date or unix seconds. */
  dateFinish?: string | number | null;
  license?: string | null;
}

const licences = new WeakMap<PortalState, AppLicence>();

export function licenceOf(state: EmulatorState, portal: PortalState): AppLicence {
  return licences.get(portal) ?? { status: state.app.status, finishMs: null, license: null };
}

export function daysLeft(l: AppLicence, nowMs: number): number | null {
  return l.finishMs === null ? null : Math.floor((l.finishMs - nowMs) / DAY_MS);
}

function ended(l: AppLicence, nowMs: number): boolean {
  const d = daysLeft(l, nowMs);
  return (l.status === "T" || l.status === "P" || l.status === "S") && d !== null && d < 0;
}

/** Whether the portal refuses the app for payment: trial and subscription at once, paid after the grace. */
export function licenceBlocks(l: AppLicence, nowMs: number): boolean {
  const d = daysLeft(l, nowMs);
  if (d === null || !ended(l, nowMs)) return false;
  return l.status === "P" ? d < -PAID_GRACE_DAYS : true;
}

/** The licence fields of the portal's app.info (P§6.5). */
export function appInfoLicence(state: EmulatorState, portal: PortalState): Record<string, unknown> {
  const l = licenceOf(state, portal);
  const now = state.clock.nowMs();
  const enterprise = (portal.plan ?? state.options.rateLimit) === "enterprise";
  const license = l.license ?? (enterprise ? "en_ent250" : "en_project");
  const type = license.replace(/^[a-z]{2}_/, "");
  return {
    STATUS: l.status,
    PAYMENT_EXPIRED: ended(l, now) || portal.paymentRequired ? "Y" : "N",
    DAYS: daysLeft(l, now),
    LICENSE: license,
    LICENSE_TYPE: type,
    LICENSE_FAMILY: type.replace(/\d+$/, ""),
  };
}

/** Re-derives the block from a set licence at the emulator's current time (after a licence change or a clock move). */
export function syncLicence(state: EmulatorState, portal: PortalState): void {
  const l = licences.get(portal);
  if (l) portal.paymentRequired = licenceBlocks(l, state.clock.nowMs());
}

export class LicenceError extends Error {}

function parseRequest(state: EmulatorState, req: LicenceRequest): AppLicence {
  if (!(LICENCE_STATUSES as readonly string[]).includes(req.status)) throw new LicenceError(`status must be one of ${LICENCE_STATUSES.join(", ")}`);
  if (req.license != null && !/^[a-z0-9_]{1,40}$/.test(req.license)) throw new LicenceError("license must look like de_ent10000");
  const now = state.clock.nowMs();
  let finishMs: number | null = null;
  if (req.daysLeft != null) {
    if (!Number.isInteger(req.daysLeft)) throw new LicenceError("daysLeft must be an integer");
    // Mid-day, so floor((finish - now) / day) is exactly daysLeft now.
    finishMs = now + req.daysLeft * DAY_MS + DAY_MS / 2;
  } else if (req.dateFinish != null) {
    finishMs = typeof req.dateFinish === "number" ? req.dateFinish * 1000 : Date.parse(req.dateFinish);
    if (!Number.isFinite(finishMs)) throw new LicenceError("dateFinish must be an ISO date or unix seconds");
  }
  if ((req.status === "F" || req.status === "L") && finishMs !== null) throw new LicenceError("free and local apps have no end");
  return { status: req.status, finishMs, license: req.license ?? null };
}

const usablePaid = (l: AppLicence, now: number) => (l.status === "P" || l.status === "S") && !ended(l, now);

/**
 * Sets the licence, re-derives the block, and when the app becomes paid (P or S, not ended, where before it was not,
 * or with a later end: a renewal) fires ONAPPPAYMENT as the core does: data{CODE, VERSION, STATUS, PAYMENT_EXPIRED,
 * DAYS, LANGUAGE_ID} and an `auth` without any token or application_token (lifecycle/events.ts ANONYMOUS).
 */
export async function setLicence(
  state: EmulatorState,
  portal: PortalState,
  req: LicenceRequest,
  fire: (event: string, data: Record<string, unknown>) => Promise<DeliveryResult[]>,
): Promise<{ appInfo: Record<string, unknown>; blocked: boolean; deliveries: DeliveryResult[] }> {
  const next = parseRequest(state, req);
  const now = state.clock.nowMs();
  const before = licenceOf(state, portal);
  licences.set(portal, next);
  syncLicence(state, portal);
  const later = (daysLeft(next, now) ?? Infinity) > (daysLeft(before, now) ?? Infinity);
  const paid = usablePaid(next, now) && (!usablePaid(before, now) || before.status !== next.status || later);
  const info = appInfoLicence(state, portal);
  const data = { CODE: state.app.clientId, VERSION: "1", STATUS: info.STATUS, PAYMENT_EXPIRED: info.PAYMENT_EXPIRED, DAYS: info.DAYS === null ? "" : String(info.DAYS), LANGUAGE_ID: "en" };
  const deliveries = paid ? await fire("ONAPPPAYMENT", data) : [];
  return { appInfo: info, blocked: portal.paymentRequired, deliveries };
}

/** What the portal shows instead of a blocked app's frame (core app.layout: the payment page). */
export function paymentPage(state: EmulatorState, portal: PortalState): Reply {
  const l = licenceOf(state, portal);
  const what = l.status === "T" ? "The trial period of this application has ended." : "The paid period of this application has ended.";
  return errorPage(200, "Payment required", `${what} An administrator can buy it in the Market: /market/detail/${state.app.clientId}/`);
}
