import { B24Error } from "@/lib/errors";

/**
 * The one state machine of portals and token pairs. Every status the app writes is computed here; the table
 * below is also in the README ("States and the way back"), and `lifecycle/states.test.ts` walks every cell.
 *
 * Two machines, kept apart on purpose:
 * - a PORTAL is `active`, `blocked` (Bitrix24 refused the whole portal: PAYMENT_REQUIRED, PORTAL_DELETED, a plan
 *   without REST) or `uninstalled`. Only Bitrix24's own word moves it: an error answer, a verified event, or a
 *   token the pinned OAuth server issued or vouched for.
 * - a TOKEN PAIR is `active` or `needs_reauth` (the OAuth server refused its refresh token, or it cannot be
 *   decrypted). A dead pair never changes the portal, so one user's dead pair never blocks anybody else, and
 *   storing a verified new pair always makes that pair usable again.
 */
export const PORTAL_STATUSES = ["active", "blocked", "uninstalled"] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];
export const PAIR_STATUSES = ["active", "needs_reauth"] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

export type PortalEvent =
  /** Bitrix24 answered PAYMENT_REQUIRED (OAuth server or REST). */
  | "payment_required"
  /** Bitrix24 answered PORTAL_DELETED, or ACCESS_DENIED with 401 (a plan without REST). */
  | "portal_refused"
  /** A standalone sign-in: the OAuth server issued a pair and the portal answered the profile read with it. */
  | "sign_in"
  /** A frame open at the app URL, its AUTH_ID vouched for by the OAuth server and the profile read with it. */
  | "frame_open"
  /** ONAPPINSTALL or ONAPPUPDATE vouched for by the OAuth server, or the installer page's verified frame POST. */
  | "install"
  /** A re-check of app.info (after ONAPPPAYMENT, or an administrator's "check again") found the app usable. */
  | "payment_confirmed"
  /** ONAPPUNINSTALL with the stored application_token. */
  | "uninstall";

export type PairEvent =
  /** Sign-in, frame open or install stored a pair the OAuth server just issued or vouched for. */
  | "issued"
  /** The refresh grant succeeded and the new pair was committed. */
  | "refreshed"
  /** invalid_grant after the race check, an OAuth answer for another portal or one we refuse, or undecryptable. */
  | "refresh_refused";

/** What happens to a portal; `refuse` means the event is answered with that error and nothing is written. */
export type PortalOutcome = { status: PortalStatus } | { refuse: "not_set_up" | "uninstalled" };

const ACTIVE = { status: "active" } as const;
const BLOCKED = { status: "blocked" } as const;
const UNINSTALLED = { status: "uninstalled" } as const;

/**
 * `from` is null when no portal row exists. A token Bitrix24 issued or vouched for together with a REST answer
 * proves the portal is usable again, so sign-in and frame opens lift a block; they never undo an uninstall, which
 * only a verified install does (an uninstall replaced the application_token, so events stay refused until then).
 */
const PORTAL_TABLE: Record<PortalEvent, Record<PortalStatus | "none", PortalOutcome | null>> = {
  payment_required: { none: null, active: BLOCKED, blocked: BLOCKED, uninstalled: UNINSTALLED },
  portal_refused: { none: null, active: BLOCKED, blocked: BLOCKED, uninstalled: UNINSTALLED },
  sign_in: { none: ACTIVE, active: ACTIVE, blocked: ACTIVE, uninstalled: { refuse: "uninstalled" } },
  frame_open: { none: { refuse: "not_set_up" }, active: ACTIVE, blocked: ACTIVE, uninstalled: { refuse: "uninstalled" } },
  install: { none: ACTIVE, active: ACTIVE, blocked: ACTIVE, uninstalled: ACTIVE },
  payment_confirmed: { none: null, active: ACTIVE, blocked: ACTIVE, uninstalled: UNINSTALLED },
  uninstall: { none: null, active: UNINSTALLED, blocked: UNINSTALLED, uninstalled: UNINSTALLED },
};

/** null: the event does not apply (no row to change). */
export function portalAfter(from: PortalStatus | null, event: PortalEvent): PortalOutcome | null {
  return PORTAL_TABLE[event][from ?? "none"];
}

const PAIR_TABLE: Record<PairEvent, Record<PairStatus | "none", PairStatus>> = {
  issued: { none: "active", active: "active", needs_reauth: "active" },
  refreshed: { none: "active", active: "active", needs_reauth: "active" },
  refresh_refused: { none: "needs_reauth", active: "needs_reauth", needs_reauth: "needs_reauth" },
};

export function pairAfter(from: PairStatus | null, event: PairEvent): PairStatus {
  return PAIR_TABLE[event][from ?? "none"];
}

/** Reads a stored status. Rows written before portals and pairs were split may say `needs_reauth` on a portal. */
export function portalStatusOf(raw: string | null | undefined): PortalStatus | null {
  if (raw === null || raw === undefined) return null;
  return (PORTAL_STATUSES as readonly string[]).includes(raw) ? (raw as PortalStatus) : "active";
}

/** The status a portal takes after `event`, or the error that refuses it. Throws for a refusal. */
export function portalStatusAfter(from: string | null | undefined, event: PortalEvent): PortalStatus | null {
  const out = portalAfter(portalStatusOf(from), event);
  if (out && "refuse" in out) throw refusal(out.refuse);
  return out?.status ?? null;
}

function refusal(reason: "not_set_up" | "uninstalled"): B24Error {
  return reason === "uninstalled"
    ? new B24Error("portal_uninstalled", "The app was uninstalled from this Bitrix24. An administrator can install it again from the Bitrix24 Market.")
    : new B24Error("portal_uninstalled", "The app is not set up on this Bitrix24 yet. An administrator should install it from the Bitrix24 Market.");
}

/** The error a call for a portal in `status` fails with before any request, or null when calls may go out. */
export function portalGate(status: string | null | undefined): B24Error | null {
  const s = portalStatusOf(status);
  if (s === "uninstalled") return new B24Error("portal_uninstalled", "The app was uninstalled from this portal. An administrator can install it again from the Bitrix24 Market.");
  if (s === "blocked") return new B24Error("portal_blocked", "Bitrix24 blocked the app on this portal (payment required or portal deleted). An administrator should check the app's subscription.");
  return null;
}
