import { z } from "zod";

/**
 * What a portal's licence of this app means, from Bitrix24's `app.info` (STATUS, PAYMENT_EXPIRED, DAYS,
 * LICENSE_FAMILY; https://apidocs.bitrix24.com/api-reference/common/system/app-info.html). Pure: lib/bitrix24/licence.ts reads and stores,
 * this decides. Bitrix24's own rules (its core's getAppStatusInfo): a trial (T) or a subscription (S) past its end
 * is blocked at once; a paid app (P) past its end keeps working for a 14-day grace (PAYMENT_EXPIRED=Y, DAYS
 * negative), then is blocked or falls back to demo (D). Free (F) and local (L) apps have no end (DAYS null).
 */
export type LicenceState = "free" | "local" | "trial" | "paid" | "subscription" | "demo" | "expired" | "unknown";

export interface Licence {
  state: LicenceState;
  /** app.info DAYS: negative after the end, null for free and local apps (and when never read). */
  daysLeft: number | null;
  /** The STATUS letter (F, D, T, P, L, S) as Bitrix24 last reported it, or null. */
  status: string | null;
  /** LICENSE_FAMILY: the portal's plan family (ent, pro, basic…), not the app's licence. */
  family: string | null;
  /** When app.info was last read successfully; null = never. */
  checkedAt: Date | null;
  /** Paid features may be used: free, local, trial, paid (grace included) and subscription. */
  allowed: boolean;
  /** Usable, but ends soon or already ended: inside the paid grace, or fewer than PAYMENT_NOTIFY_DAYS days left. */
  expiring: boolean;
  /** The last re-read failed (its reason): the values above are the older snapshot's. */
  refreshFailed: string | null;
}

/** Bitrix24 shows its own payment banner below this many days left (core PAID_NOTIFY_DAYS). */
export const PAYMENT_NOTIFY_DAYS = 5;
/** Days a paid app keeps working after its end (core PAID_GRACE_PERIOD = -14). */
export const PAID_GRACE_DAYS = 14;
export const ALLOWED_STATES: readonly LicenceState[] = ["free", "local", "trial", "paid", "subscription"];

/** The stored snapshot (Portal columns) plus the portal's own status, which a PAYMENT_REQUIRED answer set. */
export interface LicenceSnapshot {
  appStatus: string | null;
  paymentExpired: boolean | null;
  days: number | null;
  family: string | null;
  checkedAt: Date | null;
  portalStatus: string;
  statusReason: string | null;
}

function stateOf(s: LicenceSnapshot): LicenceState {
  // Bitrix24 refused the app for payment (REST or OAuth answered PAYMENT_REQUIRED): whatever was read before is over.
  if (s.portalStatus === "blocked" && s.statusReason === "PAYMENT_REQUIRED") return "expired";
  if (s.appStatus === "F") return "free";
  if (s.appStatus === "L") return "local";
  // The other letters need app.info's dates; a letter alone (from a token answer) proves no end date.
  if (s.checkedAt === null) return "unknown";
  const ended = s.paymentExpired === true || (s.days !== null && s.days < 0);
  switch (s.appStatus) {
    case "D":
      return "demo";
    case "T":
      return ended ? "expired" : "trial";
    case "S":
      return ended ? "expired" : "subscription";
    case "P":
      // Past its end a paid app keeps working through the grace (DAYS down to -14); Bitrix24 blocks it after that.
      if (s.days === null) return ended ? "expired" : "paid";
      return s.days < -PAID_GRACE_DAYS ? "expired" : "paid";
    default:
      return "unknown";
  }
}

export function licenceOfSnapshot(s: LicenceSnapshot, refreshFailed: string | null = null): Licence {
  const state = stateOf(s);
  const timed = state === "trial" || state === "paid" || state === "subscription";
  const days = state === "free" || state === "local" ? null : s.days;
  return {
    state,
    daysLeft: days,
    status: s.appStatus,
    family: s.family,
    checkedAt: s.checkedAt,
    allowed: ALLOWED_STATES.includes(state),
    expiring: timed && days !== null && days < PAYMENT_NOTIFY_DAYS,
    refreshFailed,
  };
}

const days = z.union([z.number().int(), z.string().regex(/^-?\d{1,6}$/).transform(Number), z.null()]);
const appInfo = z.object({
  CODE: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  STATUS: z.string().regex(/^[A-Z]$/),
  PAYMENT_EXPIRED: z.enum(["Y", "N"]).optional(),
  DAYS: days.optional(),
  LICENSE_FAMILY: z.string().max(32).nullable().optional(),
});

export interface AppInfoLicence {
  /** The app's code: the Market card's address (https://<portal>/market/detail/<CODE>/). */
  code: string | null;
  appStatus: string;
  paymentExpired: boolean;
  days: number | null;
  family: string | null;
}

/** The licence columns of a portal's app.info answer, or null when it is not one (nothing is stored then). */
export function parseAppInfo(raw: unknown): AppInfoLicence | null {
  const r = appInfo.safeParse(raw);
  if (!r.success) return null;
  const d = r.data;
  return { code: d.CODE ?? null, appStatus: d.STATUS, paymentExpired: d.PAYMENT_EXPIRED === "Y", days: d.DAYS ?? null, family: d.LICENSE_FAMILY ?? null };
}
