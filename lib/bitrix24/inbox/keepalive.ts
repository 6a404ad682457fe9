import "server-only";
import { env } from "@/lib/env";
import { isB24Error } from "@/lib/errors";
import { log } from "@/lib/log";
import { portalStatusOf } from "../lifecycle/states";
import { dedupKey, enqueueJob, type ClaimedJob, type NewJob } from "../store/inbox";
import { idlePortalPairs, loadPairWithPortal, type IdlePortalPair, type TokenOwner } from "../store/token-store";
import { DbTokenSource } from "../tokens/refresh";
import { Permanent } from "./permanent";

/**
 * Keep-alive of installer pairs (checklist item 43). A refresh token lives 180 days and every refresh issues a new
 * one, so a pair in use never ages; but a portal whose events and robots are rare and whose users never open the
 * app would lose its installer pair, and background work would fail with needs_reauth. Once a day (one inbox job
 * for all instances) this refreshes each installer pair whose refresh token is B24_KEEPALIVE_DAYS old, through the
 * same single-flight refresh as any REST call, so it cannot race another instance or a call in flight, and the new
 * pair is stored exactly as every refresh stores it. A fresh pair is never touched.
 */
export const KEEPALIVE_JOB = "KEEPALIVE";
const DAY_MS = 86_400_000;
const PAGE = 200;

export interface KeepAliveReport {
  /** Installer pairs old enough to refresh when the run started. */
  idle: number;
  refreshed: number;
  /** The refresh failed: refused (the pair is needs_reauth now, the doctor shows it) or OAuth down (tomorrow's run retries). */
  failed: number;
  /** Not refreshed on purpose: a dead pair, an uninstalled portal, a leftover non-installer pair, or refreshed meanwhile. */
  skipped: number;
}

/** The instant at or before which a refresh token counts as idle: `days` before `now`. */
export function idleBefore(now: Date, days = env().B24_KEEPALIVE_DAYS): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** Every installer pair whose refresh token is at least `olderThanDays` old at `now` (owners and states, no token). */
export async function stalePairs(now: Date, olderThanDays = env().B24_KEEPALIVE_DAYS): Promise<IdlePortalPair[]> {
  const before = idleBefore(now, olderThanDays);
  const out: IdlePortalPair[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await idlePortalPairs(before, { afterId, take: PAGE });
    out.push(...page);
    if (page.length < PAGE) return out;
    afterId = page[page.length - 1]!.id;
  }
}

/** Why a stale pair is left alone, or null when it is refreshed. */
function skipReason(p: IdlePortalPair): string | null {
  // An uninstall revoked the tokens; a dead pair waits for a person (an administrator's open or a reinstall).
  if (portalStatusOf(p.portalStatus) === "uninstalled") return "uninstalled";
  if (p.status !== "active") return "needs_reauth";
  // Only the portal's installedBy pair does background work; any other is a leftover nobody calls with.
  if (!p.isInstaller) return "not_installer";
  return null;
}

/**
 * One pair through the refresh path. An idle pair's access token has usually expired, so `current()` refreshes it;
 * when it has not (a pair re-stored recently), `renew()` with the credentials in hand forces the refresh grant.
 * Both go through the single-flight and the row lease, so another instance refreshing the same pair means one grant.
 */
async function refreshPair(p: IdlePortalPair): Promise<"refreshed" | "skipped"> {
  const owner: TokenOwner = { memberId: p.memberId, kind: "portal", bitrixUserId: p.bitrixUserId };
  const seen = await loadPairWithPortal(owner);
  // Refreshed (by use or another instance), replaced or dead since the scan: nothing is idle any more.
  if (!seen || seen.version !== p.version || seen.status !== "active") return "skipped";
  // A blocked portal may pay and come back: its installer pair must still be alive then. `probe` lets the refresh
  // through the block (as the payment re-check does); a refresh never changes the portal's status.
  const source = new DbTokenSource(owner, { probe: portalStatusOf(seen.portal.status) === "blocked" });
  const creds = await source.current();
  if ((await loadPairWithPortal(owner))?.version !== seen.version) return "refreshed";
  await source.renew(creds);
  return "refreshed";
}

/**
 * Refreshes every stale installer pair once, one at a time (the OAuth server sees a trickle, not a burst). A refused
 * refresh is marked needs_reauth by the refresh path and the run goes on; an error that is not Bitrix24's (the
 * database) stops the run so the inbox retries the job, which then finds the pairs already refreshed fresh.
 */
export async function runKeepAlive(now: Date = new Date()): Promise<KeepAliveReport> {
  const days = env().B24_KEEPALIVE_DAYS;
  const stale = await stalePairs(now, days);
  const report: KeepAliveReport = { idle: stale.length, refreshed: 0, failed: 0, skipped: 0 };
  for (const p of stale) {
    if (skipReason(p)) {
      report.skipped++;
      continue;
    }
    try {
      report[await refreshPair(p)]++;
    } catch (err) {
      if (!isB24Error(err)) throw err;
      report.failed++;
    }
  }
  // Counts only: the refresh path already logs each failure with its portal and code, never a token.
  log.info("b24.keepalive", { days, ...report });
  return report;
}

const utcDay = (now: Date) => now.toISOString().slice(0, 10);

/**
 * The day's keep-alive job. Not a portal's: memberId is empty (the column is required but has no foreign key, and
 * no portal's doctor lists it). The dedup key is the UTC date, so every instance scheduling it the same day stores
 * one job, and the next day stores the next.
 */
export function keepAliveJob(now: Date = new Date()): NewJob {
  const day = utcDay(now);
  return { memberId: "", kind: "maintenance", name: KEEPALIVE_JOB, dedupKey: dedupKey(["keepalive", day]), payload: { day } };
}

/** Queues today's job unless some instance already did; cheap enough to call on every maintenance tick. */
export function scheduleKeepAlive(now: Date = new Date()): Promise<"queued" | "duplicate"> {
  return enqueueJob(keepAliveJob(now));
}

/** The inbox runner for kind "maintenance". Runs at the time it is claimed, which may be later than the day queued. */
export async function runKeepAliveJob(job: ClaimedJob, now: Date = new Date()): Promise<void> {
  if (job.name !== KEEPALIVE_JOB) throw new Permanent(`No maintenance job ${job.name}.`);
  await runKeepAlive(now);
}
