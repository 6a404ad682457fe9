import "server-only";
import { randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { isB24Error } from "@/lib/errors";
import { log } from "@/lib/log";
import { clientFor } from "../clients";
import type { FormTree } from "../lifecycle/form";
import { eventHandler } from "../registry";
import { claimJobs, completeJob, extendLease, failJob, type ClaimedJob } from "../store/inbox";
import { findPortal } from "../store/portals";
import { Permanent } from "./permanent";
import { runRobotJob } from "./robot-job";
import { runOfflineDrain } from "./offline";
import { runMaintenanceJob } from "./maintenance";

/**
 * Runs the inbox's jobs: at least once each, with the row's dedupKey as the handler's idempotency key. A failure is
 * retried with capped, jittered exponential backoff; after MAX_ATTEMPTS runs the job is dead (the doctor shows it
 * with its last error and a retry button). A job whose worker died mid-run is taken over when its lease expires.
 */
export const MAX_ATTEMPTS = 5;
const BACKOFF_CAP_MS = 10 * 60_000;

const leaseMs = () => env().B24_WORKER_LEASE_MS;

/** Delay before retry number `attempt` (1-based): base·2^(attempt−1) (base B24_WORKER_BACKOFF_MS, 2 s), capped at 10 min, then 50–100 % of that (jitter). */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = env().B24_WORKER_BACKOFF_MS): number {
  const full = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full * (0.5 + random() / 2));
}

export { Permanent };

export interface EventPayload {
  data: FormTree;
  ts: string | null;
  handlerId: string | null;
}

async function runEvent(job: ClaimedJob): Promise<void> {
  const handler = eventHandler(job.name);
  if (!handler) throw new Permanent(`No handler for ${job.name} in bitrix24.app.ts any more.`);
  const portal = await findPortal(job.memberId);
  if (!portal || portal.status === "uninstalled") throw new Permanent("The app is not installed on this portal any more.");
  if (portal.installedBy === null) throw new Error("No installer's connection is stored: open the app from Bitrix24 as an administrator.");
  const p = job.payload as EventPayload;
  await handler({
    memberId: job.memberId,
    event: job.name,
    data: p.data,
    ts: p.ts,
    handlerId: p.handlerId,
    idempotencyKey: job.dedupKey,
    attempt: job.attempt,
    b24: clientFor({ memberId: job.memberId, kind: "portal", bitrixUserId: portal.installedBy }),
  });
}

const RUNNERS: Record<string, (job: ClaimedJob) => Promise<void>> = { event: runEvent, robot: runRobotJob, offline: runOfflineDrain, maintenance: runMaintenanceJob };

function reasonOf(err: unknown): string {
  if (err instanceof Permanent) return err.message;
  if (isB24Error(err)) return `${err.code}${err.upstream ? ` (${err.upstream})` : ""}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : "unknown error";
}

export type JobOutcome = "done" | "retry" | "dead" | "lost";

/** One job, start to finish; the outcome is written only while this worker still holds the claim. */
export async function runJob(job: ClaimedJob, opts: { random?: () => number; now?: () => number; run?: (job: ClaimedJob) => Promise<void> } = {}): Promise<JobOutcome> {
  const now = opts.now ?? Date.now;
  const run = opts.run ?? RUNNERS[job.kind];
  // Keep the lease while the handler works, so a slow handler is not taken over by another worker.
  const lease = leaseMs();
  const keepAlive = setInterval(() => void extendLease(job, new Date(now() + lease)).catch(() => undefined), lease / 3);
  keepAlive.unref?.();
  try {
    if (job.attempt > MAX_ATTEMPTS) throw new Permanent(`Stopped after ${MAX_ATTEMPTS} attempts (the last run did not finish).`);
    if (!run) throw new Permanent(`Unknown job kind ${job.kind}.`);
    await run(job);
    return (await completeJob(job, new Date(now()))) ? "done" : "lost";
  } catch (err) {
    const reason = reasonOf(err);
    const dead = err instanceof Permanent || job.attempt >= MAX_ATTEMPTS;
    const retryAt = dead ? null : new Date(now() + backoffMs(job.attempt, opts.random));
    log.warn("b24.inbox.job_failed", { kind: job.kind, name: job.name, memberId: job.memberId, attempt: job.attempt, dead, reason: isB24Error(err) ? err.code : "handler" });
    if (!(await failJob(job, reason, retryAt))) return "lost";
    return dead ? "dead" : "retry";
  } finally {
    clearInterval(keepAlive);
  }
}

export function workerId(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Claims and runs due jobs until none is left; returns how many ran. One claim per job: a job claimed ahead of its
 * turn would sit in this worker's hands with a lease nobody renews, and another worker could take it over and run
 * it at the same time.
 */
export async function drainInbox(owner: string, opts: { maxJobs?: number; run?: (job: ClaimedJob) => Promise<void> } = {}): Promise<number> {
  let ran = 0;
  while (ran < (opts.maxJobs ?? Infinity)) {
    const [job] = await claimJobs(owner, { limit: 1, leaseMs: leaseMs() });
    if (!job) break;
    const outcome = await runJob(job, { run: opts.run });
    ran++;
    if (outcome === "done") log.info("b24.inbox.job_done", { kind: job.kind, name: job.name, memberId: job.memberId, attempt: job.attempt });
  }
  return ran;
}
