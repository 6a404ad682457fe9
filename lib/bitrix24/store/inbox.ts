import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { processLocal } from "@/lib/process-local";

/**
 * The inbox table (prisma InboxJob): verified deliveries whose work runs later. One row per dedupKey, so a
 * delivery Bitrix24 sends twice is stored once. Claiming is compare-and-swap on `version` plus a lease, the same
 * on SQLite and PostgreSQL: two workers can never both win a row, and a row whose worker died (lease expired)
 * becomes claimable again. Every write after the claim is fenced by (id, version), so a worker whose lease was
 * taken over cannot overwrite the newer owner's outcome. Rows never hold a token.
 */
export type JobKind = "event" | "robot" | "offline" | "maintenance";
export type JobStatus = "pending" | "running" | "done" | "dead";

export interface NewJob {
  memberId: string;
  kind: JobKind;
  /** The event or robot code, e.g. ONCRMDEALADD. */
  name: string;
  dedupKey: string;
  /** JSON-serialisable; never a token. */
  payload: unknown;
  /** Not before this time (default: now). */
  runAfter?: Date;
}

export interface ClaimedJob {
  id: string;
  memberId: string;
  kind: JobKind;
  name: string;
  dedupKey: string;
  payload: unknown;
  /** This run's number, 1 for the first. */
  attempt: number;
  /** The fencing token of this claim. */
  version: number;
}

export interface DeadJob {
  id: string;
  kind: string;
  name: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** sha256 over the parts, NUL-separated (no part can contain NUL: they are names, ids and digests). */
export function dedupKey(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

const isPostgres = () => !env().DATABASE_URL.startsWith("file:");
const row = (job: NewJob) => ({ memberId: job.memberId, kind: job.kind, name: job.name, dedupKey: job.dedupKey, payload: JSON.stringify(job.payload), ...(job.runAfter ? { runAfter: job.runAfter } : {}) });

/** One row, for the rare batch that met a duplicate written by another process between our read and our insert. */
async function insertOne(job: NewJob): Promise<boolean> {
  try {
    await db().inboxJob.create({ data: row(job) });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** The dedup keys this batch stored; keys already present (or repeated in the batch) are not. */
async function insertBatch(jobs: NewJob[]): Promise<Set<string>> {
  const unique = [...new Map(jobs.map((j) => [j.dedupKey, j])).values()];
  const known = await db().inboxJob.findMany({ where: { dedupKey: { in: unique.map((j) => j.dedupKey) } }, select: { dedupKey: true } });
  const seen = new Set(known.map((k) => k.dedupKey));
  const fresh = unique.filter((j) => !seen.has(j.dedupKey));
  if (!fresh.length) return new Set();
  try {
    // PostgreSQL: ON CONFLICT DO NOTHING covers another instance inserting the same key meanwhile.
    const args = { data: fresh.map(row) };
    // The generated SQLite client does not know skipDuplicates (SQLite has no ON CONFLICT DO NOTHING in Prisma).
    await db().inboxJob.createMany(isPostgres() ? ({ ...args, skipDuplicates: true } as typeof args) : args);
    return new Set(fresh.map((j) => j.dedupKey));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const stored = new Set<string>();
    for (const j of fresh) if (await insertOne(j)) stored.add(j.dedupKey);
    return stored;
  }
}

interface Waiting {
  job: NewJob;
  resolve: (r: "queued" | "duplicate") => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 200;
const batcher = () => processLocal("inbox-enqueue", () => ({ queue: [] as Waiting[], flushing: false }));

/**
 * Group commit: deliveries that arrive while a write is in flight are stored together by the next one, so a burst
 * costs a few transactions instead of one per delivery. Each caller still learns whether its delivery was new.
 */
async function flush(b: ReturnType<typeof batcher>): Promise<void> {
  b.flushing = true;
  try {
    while (b.queue.length) {
      const batch = b.queue.splice(0, MAX_BATCH);
      try {
        const stored = await insertBatch(batch.map((w) => w.job));
        for (const w of batch) w.resolve(stored.delete(w.job.dedupKey) ? "queued" : "duplicate");
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  } finally {
    b.flushing = false;
  }
}

/** Stores a verified delivery's work once per dedup key; resolves once it is committed. */
export function enqueueJob(job: NewJob): Promise<"queued" | "duplicate"> {
  const b = batcher();
  const result = new Promise<"queued" | "duplicate">((resolve, reject) => b.queue.push({ job, resolve, reject }));
  if (!b.flushing) void flush(b);
  return result;
}

/**
 * Up to `limit` jobs that are due (pending and past runAfter) or abandoned (running with an expired lease), each won
 * by compare-and-swap; candidates another worker won in between are skipped.
 */
export async function claimJobs(owner: string, opts: { limit: number; leaseMs: number; now?: Date }): Promise<ClaimedJob[]> {
  const now = opts.now ?? new Date();
  const candidates = await db().inboxJob.findMany({
    where: { OR: [{ status: "pending", runAfter: { lte: now } }, { status: "running", leaseUntil: { lt: now } }] },
    orderBy: { runAfter: "asc" },
    take: opts.limit * 2,
    select: { id: true, version: true },
  });
  const won: ClaimedJob[] = [];
  for (const c of candidates) {
    if (won.length >= opts.limit) break;
    const claimed = await db().inboxJob.updateMany({
      where: { id: c.id, version: c.version },
      data: { status: "running", leaseOwner: owner, leaseUntil: new Date(now.getTime() + opts.leaseMs), version: { increment: 1 }, attempts: { increment: 1 } },
    });
    if (claimed.count !== 1) continue;
    const row = await db().inboxJob.findUnique({ where: { id: c.id } });
    if (!row || row.version !== c.version + 1) continue;
    won.push({ id: row.id, memberId: row.memberId, kind: row.kind as JobKind, name: row.name, dedupKey: row.dedupKey, payload: JSON.parse(row.payload) as unknown, attempt: row.attempts, version: row.version });
  }
  return won;
}

/** False when the claim was lost (the lease expired and another worker took the job): its outcome stands. */
export async function completeJob(job: ClaimedJob, now = new Date()): Promise<boolean> {
  const r = await db().inboxJob.updateMany({
    where: { id: job.id, version: job.version },
    data: { status: "done", doneAt: now, leaseOwner: null, leaseUntil: null, lastError: null, version: { increment: 1 } },
  });
  return r.count === 1;
}

/** A failed run: pending again at `retryAt`, or dead (kept, shown on the doctor, retried only by a person). */
export async function failJob(job: ClaimedJob, error: string, retryAt: Date | null): Promise<boolean> {
  const r = await db().inboxJob.updateMany({
    where: { id: job.id, version: job.version },
    data: { status: retryAt ? "pending" : "dead", runAfter: retryAt ?? undefined, lastError: error.slice(0, 500), leaseOwner: null, leaseUntil: null, version: { increment: 1 } },
  });
  return r.count === 1;
}

/** A running job's lease, extended while its handler is still working. */
export async function extendLease(job: ClaimedJob, until: Date): Promise<boolean> {
  const r = await db().inboxJob.updateMany({ where: { id: job.id, version: job.version, status: "running" }, data: { leaseUntil: until } });
  return r.count === 1;
}

export async function deadJobs(memberId: string, take = 20): Promise<DeadJob[]> {
  return db().inboxJob.findMany({
    where: { memberId, status: "dead" },
    orderBy: { updatedAt: "desc" },
    take,
    select: { id: true, kind: true, name: true, attempts: true, lastError: true, createdAt: true, updatedAt: true },
  });
}

/** A dead job of this portal back to pending with a fresh set of attempts; false when there is no such job. */
export async function retryJob(id: string, memberId: string): Promise<boolean> {
  const r = await db().inboxJob.updateMany({
    where: { id, memberId, status: "dead" },
    data: { status: "pending", attempts: 0, runAfter: new Date(), version: { increment: 1 } },
  });
  return r.count === 1;
}

/** When the next pending job becomes due (a worker sleeps until then), or null when none is waiting. */
/**
 * When the next job becomes claimable: a pending job's retry time, or the lease end of a running job whose worker may
 * have died (a killed instance). Without the second, a job held by a dead web instance waited for the next delivery.
 */
export async function nextDueAt(): Promise<Date | null> {
  const [pending, running] = await Promise.all([
    db().inboxJob.findFirst({ where: { status: "pending" }, orderBy: { runAfter: "asc" }, select: { runAfter: true } }),
    db().inboxJob.findFirst({ where: { status: "running", leaseUntil: { not: null } }, orderBy: { leaseUntil: "asc" }, select: { leaseUntil: true } }),
  ]);
  const times = [pending?.runAfter, running?.leaseUntil].filter((d): d is Date => d instanceof Date);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}

export async function jobCounts(memberId?: string): Promise<Record<JobStatus, number>> {
  const rows = await db().inboxJob.groupBy({ by: ["status"], where: memberId ? { memberId } : {}, _count: { _all: true } });
  const out: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
  for (const r of rows) out[r.status as JobStatus] = r._count._all;
  return out;
}
