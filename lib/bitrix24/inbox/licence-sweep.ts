import "server-only";
import { log } from "@/lib/log";
import { LICENCE_MAX_AGE_MS, refreshLicence } from "../licence";
import { staleLicencePortals } from "../store/licence";
import { dedupKey, enqueueJob, type NewJob } from "../store/inbox";

/**
 * The daily licence re-read: every installed portal whose app.info snapshot is older than a day is asked again, one
 * at a time (Bitrix24 sees a trickle). It also catches an ONAPPPAYMENT that never arrived: a blocked portal goes
 * through the payment re-check. A failed re-read keeps the snapshot and is retried by the next run.
 */
export const LICENCE_JOB = "LICENCE";
const PAGE = 200;
/** Queued at most once per this window by all instances (the dedup key), so a snapshot is at most ~30 h old. */
const WINDOW_MS = 6 * 3600_000;

export async function runLicenceSweep(now: Date = new Date()): Promise<{ stale: number; failed: number }> {
  const before = new Date(now.getTime() - LICENCE_MAX_AGE_MS);
  const report = { stale: 0, failed: 0 };
  for (let after: string | undefined; ; ) {
    const page = await staleLicencePortals(before, { after, take: PAGE });
    for (const memberId of page) {
      report.stale++;
      if ((await refreshLicence(memberId)).refreshFailed) report.failed++;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1];
  }
  log.info("b24.licence.sweep", report);
  return report;
}

/** The window's sweep job; memberId is empty (not a portal's job), like the keep-alive's. */
export function licenceSweepJob(now: Date = new Date()): NewJob {
  const window = String(Math.floor(now.getTime() / WINDOW_MS));
  return { memberId: "", kind: "maintenance", name: LICENCE_JOB, dedupKey: dedupKey(["licence", window]), payload: { window } };
}

export function scheduleLicenceSweep(now: Date = new Date()): Promise<"queued" | "duplicate"> {
  return enqueueJob(licenceSweepJob(now));
}
