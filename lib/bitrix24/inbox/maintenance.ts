import "server-only";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import type { ClaimedJob } from "../store/inbox";
import { runKeepAliveJob, scheduleKeepAlive } from "./keepalive";
import { LICENCE_JOB, runLicenceSweep, scheduleLicenceSweep } from "./licence-sweep";
import { scheduleOfflineSweep } from "./offline";
import { pruneRestLog } from "../rest-log";

/**
 * Background work nobody's request starts: the offline-events sweep (offline.ts), the daily keep-alive of idle
 * installer pairs (keepalive.ts) and the licence re-read of portals whose snapshot is a day old (licence-sweep.ts).
 * Each schedule is an inbox job with a time-bucketed dedup key, so any number of instances asking at once queue it
 * once. The REST log's prune
 * (rest-log.ts) runs here directly: deleting by age and size is idempotent, so instances need not agree on a turn.
 * Runs at start and then every MAINTENANCE_EVERY_MS in whichever process runs workers.
 */
export const MAINTENANCE_EVERY_MS = 6 * 3600_000;

export async function scheduleMaintenance(now = new Date()): Promise<void> {
  const sweeps = await scheduleOfflineSweep(now);
  const keepAlive = await scheduleKeepAlive(now);
  const licence = await scheduleLicenceSweep(now);
  if (sweeps || keepAlive === "queued" || licence === "queued") log.info("b24.maintenance.scheduled", { offlineSweeps: sweeps, keepAlive, licence });
  await pruneRestLog(now);
}

/** The inbox runner for kind "maintenance", by the job's name. */
export async function runMaintenanceJob(job: ClaimedJob): Promise<void> {
  if (job.name === LICENCE_JOB) return void (await runLicenceSweep());
  await runKeepAliveJob(job);
}

/** Schedules now and every few hours in this process (idempotent: a second call does nothing). */
export function startMaintenance(onScheduled?: () => void): void {
  const state = processLocal("maintenance", () => ({ timer: null as ReturnType<typeof setInterval> | null }));
  if (state.timer) return;
  const tick = () =>
    void scheduleMaintenance()
      .then(() => onScheduled?.())
      .catch((err: unknown) => log.error("b24.maintenance.failed", { err }));
  state.timer = setInterval(tick, MAINTENANCE_EVERY_MS);
  state.timer.unref?.();
  tick();
}
