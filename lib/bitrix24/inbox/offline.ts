import "server-only";
import { isB24Error } from "@/lib/errors";
import { log } from "@/lib/log";
import { clientFor } from "../clients";
import type { FormTree } from "../lifecycle/form";
import { offlineEvents } from "../registry";
import { dedupKey, enqueueJob, type ClaimedJob, type NewJob } from "../store/inbox";
import { findPortal, installedPortalIds } from "../store/portals";
import type { B24Client } from "../transport/client";
import { Permanent } from "./permanent";
import type { EventPayload } from "./worker";

/**
 * Bitrix24's offline events (https://apidocs.bitrix24.com/api-reference/events/offline-events.html), the loss-free
 * channel: the portal keeps each event in its queue until the app clears it. A drain job (queued by ONOFFLINEEVENT
 * or the start-up sweep) takes batches with `clear=0`, which reserves them under a process_id, commits every event
 * to the inbox, and only then clears that process_id. A crash anywhere in between leaves the batch reserved at
 * Bitrix24; the job's retry (attempt > 1) and the sweep find reserved batches with event.offline.list, re-read them
 * by process_id and finish them. Re-reading a batch twice is harmless: an event's inbox dedup key is its queue row
 * (ID, MESSAGE_ID, TIMESTAMP_X), so it is stored once whichever drain gets there first.
 * All event.offline.* methods are for administrators: the installer's pair is used.
 */
const BATCH = 50;
/** A drain stops after this many batches and queues its own follow-up, so one job never holds a lease for long. */
const MAX_BATCHES = 20;

export interface OfflineRow {
  ID: string | number;
  TIMESTAMP_X?: string;
  EVENT_NAME: string;
  EVENT_DATA: unknown;
  MESSAGE_ID: string;
  PROCESS_ID?: string | null;
  ERROR?: string | number | null;
}

interface OfflineBatch {
  process_id: string | null;
  events: OfflineRow[];
}

/** EVENT_DATA is JSON; handlers get the same string tree an online delivery's `data[...]` gives them. */
export function toFormTree(value: unknown): FormTree {
  if (!value || typeof value !== "object") return {};
  const out: FormTree = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "object" ? toFormTree(v) : String(v);
  }
  return out;
}

function unixSeconds(timestamp: string | undefined): string | null {
  const ms = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isFinite(ms) ? String(Math.floor(ms / 1000)) : null;
}

export function offlineJob(memberId: string, row: OfflineRow): NewJob {
  const name = String(row.EVENT_NAME).toUpperCase();
  const payload: EventPayload = { data: toFormTree(row.EVENT_DATA), ts: unixSeconds(row.TIMESTAMP_X), handlerId: null };
  return { memberId, kind: "event", name, payload, dedupKey: dedupKey([memberId, name, "offline", String(row.ID), String(row.MESSAGE_ID), String(row.TIMESTAMP_X ?? "")]) };
}

/**
 * Bitrix24 sends ONOFFLINEEVENT at most once per `minTimeout` (1 s, the app binds it without options), so a change
 * made just after a drain's last empty read may raise no signal of its own. A drain started by a signal therefore
 * looks once more after this long; any later change is past the throttle window and signals again.
 */
export const FOLLOW_UP_MS = 2_000;

interface DrainPayload {
  /** Look for batches reserved earlier and never cleared (a crash between get and clear) first. */
  recover: boolean;
  /** Queue one more look after FOLLOW_UP_MS when done (a drain started by a signal). */
  followUp?: boolean;
}

/** A drain request for a portal; `reason` keeps distinct requests apart (a signal's ts, a sweep's hour). */
export function drainJob(memberId: string, reason: string, opts: DrainPayload & { runAfter?: Date } = { recover: false }): NewJob {
  const payload: DrainPayload = { recover: opts.recover, ...(opts.followUp ? { followUp: true } : {}) };
  return { memberId, kind: "offline", name: "ONOFFLINEEVENT", payload, dedupKey: dedupKey([memberId, "offline-drain", reason]), runAfter: opts.runAfter };
}

/** Stores a batch's events in the inbox (the manifest's offline events only), resolving once all are committed. */
async function commit(memberId: string, rows: OfflineRow[]): Promise<{ queued: number; skipped: number }> {
  const wanted = new Set(offlineEvents());
  const jobs = rows.filter((r) => wanted.has(String(r.EVENT_NAME).toUpperCase())).map((r) => offlineJob(memberId, r));
  const results = await Promise.all(jobs.map((j) => enqueueJob(j)));
  return { queued: results.filter((r) => r === "queued").length, skipped: rows.length - jobs.length };
}

async function takeBatch(b24: B24Client, processId?: string): Promise<OfflineBatch> {
  try {
    const { result } = await b24.call<OfflineBatch>("event.offline.get", processId ? { process_id: processId, clear: 0, limit: BATCH } : { clear: 0, limit: BATCH });
    return { process_id: result?.process_id ?? processId ?? null, events: Array.isArray(result?.events) ? result.events : [] };
  } catch (err) {
    if (isB24Error(err) && err.upstream === "WRONG_LICENSE") {
      throw new Permanent("Bitrix24 refused event.offline.get with clear=0 (WRONG_LICENSE): loss-free offline events need the rest_offline_extended feature of the portal's plan. Upgrade the plan, or deliver these events online (drop `offline: true` in bitrix24.app.ts).");
    }
    if (isB24Error(err) && err.upstream === "ACCESS_DENIED") {
      throw new Permanent("Bitrix24 refused event.offline.get (ACCESS_DENIED): offline events are for administrators, and the installer is not one any more. Reinstall the app as an administrator.");
    }
    throw err;
  }
}

/** Process ids of batches reserved earlier and never cleared (a drain that died between get and clear). */
async function reservedBatches(b24: B24Client): Promise<string[]> {
  const ids = new Set<string>();
  let start: number | undefined = 0;
  while (start !== undefined) {
    const page: { result: OfflineRow[]; next?: number } = await b24.call<OfflineRow[]>("event.offline.list", { start });
    for (const row of Array.isArray(page.result) ? page.result : []) {
      if (row.PROCESS_ID && !Number(row.ERROR)) ids.add(String(row.PROCESS_ID));
    }
    start = page.next;
  }
  return [...ids];
}

async function finish(b24: B24Client, memberId: string, batch: OfflineBatch): Promise<number> {
  if (!batch.process_id || !batch.events.length) return 0;
  const { queued, skipped } = await commit(memberId, batch.events);
  // Only now: every event of this batch is in the inbox, so clearing it at Bitrix24 cannot lose one.
  await b24.call("event.offline.clear", { process_id: batch.process_id });
  log.info("b24.offline.batch", { memberId, events: batch.events.length, queued, skipped });
  return batch.events.length;
}

export async function runOfflineDrain(job: ClaimedJob): Promise<void> {
  const portal = await findPortal(job.memberId);
  if (!portal || portal.status === "uninstalled") throw new Permanent("The app is not installed on this portal any more.");
  if (portal.installedBy === null) throw new Error("No installer's connection is stored: open the app from Bitrix24 as an administrator.");
  const b24 = clientFor({ memberId: job.memberId, kind: "portal", bitrixUserId: portal.installedBy });
  const payload = (job.payload ?? {}) as Partial<DrainPayload>;
  let drained = 0;
  if (job.attempt > 1 || payload.recover === true) {
    for (const processId of await reservedBatches(b24)) drained += await finish(b24, job.memberId, await takeBatch(b24, processId));
  }
  for (let i = 0; i < MAX_BATCHES; i++) {
    const batch = await takeBatch(b24);
    if (!batch.events.length) {
      if (payload.followUp) await enqueueJob(drainJob(job.memberId, `${job.dedupKey}:after`, { recover: false, runAfter: new Date(Date.now() + FOLLOW_UP_MS) }));
      return;
    }
    drained += await finish(b24, job.memberId, batch);
  }
  await enqueueJob(drainJob(job.memberId, `${job.dedupKey}:more`, { recover: false, followUp: payload.followUp }));
  log.info("b24.offline.more", { memberId: job.memberId, drained });
}

/**
 * Queues a recovering drain for every installed portal, once per hour whichever instances ask: ONOFFLINEEVENT is a
 * signal Bitrix24 sends once, so one lost while the app was down or failing would leave events waiting until the
 * portal's next event. Workers and the web pump call this at start and then every few hours.
 */
export async function scheduleOfflineSweep(now = new Date()): Promise<number> {
  if (!offlineEvents().length) return 0;
  const hour = now.toISOString().slice(0, 13);
  let queued = 0;
  let after: string | undefined;
  for (;;) {
    const ids = await installedPortalIds({ after, take: 500 });
    if (!ids.length) return queued;
    const results = await Promise.all(ids.map((id) => enqueueJob(drainJob(id, `sweep:${hour}`, { recover: true }))));
    queued += results.filter((r) => r === "queued").length;
    after = ids[ids.length - 1];
  }
}
