import "server-only";
import { isB24Error } from "@/lib/errors";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { clientFor } from "./clients";
import { recheckBlockedPortal } from "./lifecycle/recheck";
import { licenceOfSnapshot, type Licence } from "./licence-state";
import { appCodeOf, loadLicence, recordAppInfo, type StoredLicence } from "./store/licence";

/**
 * The app's licence on a portal, as the portal's own `app.info` says, asked with the installer's stored pair (the
 * only authoritative source: a frame's or an event's `status` is informational, and ONAPPPAYMENT proves nothing).
 * The answer is kept on the portal row and re-read when it is older than a day, on every ONAPPPAYMENT nudge
 * (rate-limited) and by the maintenance sweep (inbox/licence-sweep.ts). One re-read per portal at a time per
 * process; a failed re-read keeps the older snapshot and says so (`refreshFailed`).
 */
export type { Licence, LicenceState } from "./licence-state";

export const LICENCE_MAX_AGE_MS = 24 * 3600_000;
/** After a failed re-read, page views use the older snapshot this long before asking Bitrix24 again. */
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** ONAPPPAYMENT can be forged by anyone: at most one re-read per portal and window for nudges (per process). */
export const NUDGE_WINDOW_MS = 60_000;

const UNKNOWN: Licence = { state: "unknown", daysLeft: null, status: null, family: null, checkedAt: null, allowed: false, expiring: false, refreshFailed: null };
const inflight = processLocal("b24.licence.inflight", () => new Map<string, Promise<Licence>>());
const failures = processLocal("b24.licence.failures", () => new Map<string, { at: number; reason: string }>());

/** The stored licence, re-read first when it is older than a day or was never read (unless a re-read just failed). */
export async function licenceOf(memberId: string, now = Date.now()): Promise<Licence> {
  const stored = await loadLicence(memberId);
  if (!stored) return UNKNOWN;
  const fresh = stored.checkedAt !== null && now - stored.checkedAt.getTime() < LICENCE_MAX_AGE_MS;
  const failed = failures.get(memberId);
  if (fresh || !canReread(stored)) return licenceOfSnapshot(stored);
  if (failed && now - failed.at < RETRY_AFTER_FAILURE_MS) return licenceOfSnapshot(stored, failed.reason);
  return refreshLicence(memberId, now);
}

/** Asks Bitrix24 now (joining a re-read already in flight for this portal). */
export function refreshLicence(memberId: string, now = Date.now()): Promise<Licence> {
  let run = inflight.get(memberId);
  if (!run) {
    run = reread(memberId, now).finally(() => inflight.delete(memberId));
    inflight.set(memberId, run);
  }
  return run;
}

const canReread = (s: StoredLicence) => s.portalStatus !== "uninstalled" && s.installedBy !== null;

async function reread(memberId: string, now: number): Promise<Licence> {
  const stored = await loadLicence(memberId);
  if (!stored) return UNKNOWN;
  if (!canReread(stored)) return licenceOfSnapshot(stored, "no_installer");
  let reason: string | null = null;
  if (stored.portalStatus === "blocked") {
    // A blocked portal is asked through the payment re-check, which may lift the block (it stores the answer too).
    const outcome = await recheckBlockedPortal(memberId, now);
    if (outcome !== "active" && outcome !== "blocked") reason = outcome;
  } else {
    try {
      const { result } = await clientFor({ memberId, kind: "portal", bitrixUserId: stored.installedBy! }).call("app.info");
      if (!(await recordAppInfo(memberId, result))) reason = "invalid_answer";
    } catch (err) {
      // PAYMENT_REQUIRED blocks the portal on the way (the client records it), which the state then shows.
      reason = isB24Error(err) ? err.code : "internal";
    }
  }
  if (reason) {
    failures.set(memberId, { at: now, reason });
    log.warn("b24.licence.reread_failed", { memberId, reason });
  } else failures.delete(memberId);
  const after = await loadLicence(memberId);
  return after ? licenceOfSnapshot(after, reason) : UNKNOWN;
}

export type NudgeOutcome = "refreshed" | "scheduled" | "coalesced" | "unknown_portal";
const nudges = processLocal("b24.licence.nudges", () => new Map<string, { last: number; trailing: boolean }>());

/**
 * ONAPPPAYMENT's only effect. The delivery cannot be authenticated, so its body is never read: member_id only picks
 * which stored portal to re-read, and an unknown (or uninstalled) one costs nothing. A nudge inside the window is not
 * dropped (a flood of forged ones must not swallow the real one) but folded into one re-read at the window's end.
 */
export async function nudgeLicence(memberId: string, opts: { now?: number; schedule?: (run: () => void, ms: number) => void } = {}): Promise<NudgeOutcome> {
  const stored = await loadLicence(memberId);
  if (!stored || !canReread(stored)) return "unknown_portal";
  const now = opts.now ?? Date.now();
  const gate = nudges.get(memberId);
  if (!gate || now - gate.last >= NUDGE_WINDOW_MS) {
    nudges.set(memberId, { last: now, trailing: false });
    await refreshLicence(memberId, now);
    return "refreshed";
  }
  if (gate.trailing) return "coalesced";
  gate.trailing = true;
  const at = gate.last + NUDGE_WINDOW_MS;
  const run = () => {
    nudges.set(memberId, { last: at, trailing: false });
    void refreshLicence(memberId, at).catch((err: unknown) => log.error("b24.licence.nudge_failed", { memberId, err }));
  };
  (opts.schedule ?? defaultSchedule)(run, at - now);
  return "scheduled";
}

function defaultSchedule(run: () => void, ms: number): void {
  setTimeout(run, ms).unref?.();
}

/**
 * The portal's Market card of the app, where an administrator buys or renews it: https://<portal>/market/detail/<CODE>/
 * with CODE from app.info. Null until this process has read app.info for the portal (no column holds CODE).
 */
export async function marketCardUrl(memberId: string): Promise<string | null> {
  const stored = await loadLicence(memberId);
  const code = appCodeOf(memberId);
  return stored && code ? `https://${stored.domain}/market/detail/${encodeURIComponent(code)}/` : null;
}
