import "server-only";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { scheduleKeepAlive } from "./keepalive";
import { scheduleOfflineSweep } from "./offline";
import { pruneRestLog } from "../rest-log";

/**
 * Background work nobody's request starts: the offline-events sweep (offline.ts) and the daily keep-alive of idle
 * installer pairs (keepalive.ts). Each schedule is an inbox job
 * with a time-bucketed dedup key, so any number of instances asking at once queue it once. The REST log's prune
 * (rest-log.ts) runs here directly: deleting by age and size is idempotent, so instances need not agree on a turn.
 * Runs at start and then every MAINTENANCE_EVERY_MS in whichever process runs workers.
 */
export const MAINTENANCE_EVERY_MS = 6 * 3600_000;

export async function scheduleMaintenance(now = new Date()): Promise<void> {
  const sweeps = await scheduleOfflineSweep(now);
  const keepAlive = await scheduleKeepAlive(now);
  if (sweeps || keepAlive === "queued") log.info("b24.maintenance.scheduled", { offlineSweeps: sweeps, keepAlive });
  await pruneRestLog(now);
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
