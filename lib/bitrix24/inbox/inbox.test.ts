import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Store from "../store/inbox";
import type * as Worker from "./worker";

/**
 * The inbox on SQLite: stored once per dedup key, claimed by one worker at a time (compare-and-swap), retried with
 * capped jittered backoff, dead after MAX_ATTEMPTS and back by a person's retry (of their own portal only), and
 * taken over after a worker died mid-run, with the dead worker's late outcome ignored.
 */
let database: typeof Db;
let store: typeof Store;
let worker: typeof Worker;
let cleanup = () => {};
const A = "a".repeat(32);
const B = "b".repeat(32);

beforeAll(async () => {
  ({ cleanup } = useAppDatabase({ TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}` }));
  database = await import("@/lib/db");
  store = await import("../store/inbox");
  worker = await import("./worker");
});

afterAll(async () => {
  await database?.db().$disconnect();
  cleanup();
});

beforeEach(async () => {
  await database.db().inboxJob.deleteMany({});
});

const job = (n: number, memberId = A) => ({ memberId, kind: "event" as const, name: "ONCRMDEALADD", dedupKey: store.dedupKey([memberId, "ONCRMDEALADD", String(n)]), payload: { data: { FIELDS: { ID: String(n) } }, ts: "1", handlerId: "7" } });

describe("enqueue", () => {
  it("stores a delivery once per dedup key, and never a token", async () => {
    expect(await store.enqueueJob(job(1))).toBe("queued");
    expect(await store.enqueueJob(job(1))).toBe("duplicate");
    expect(await store.enqueueJob(job(2))).toBe("queued");
    const rows = await database.db().inboxJob.findMany();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.status === "pending" && !/token/i.test(r.payload))).toBe(true);
  });

  it("a burst is stored together and each caller learns whether its delivery was new, repeats included", async () => {
    const burst = [...Array.from({ length: 40 }, (_, n) => job(n)), job(3), job(7)];
    const results = await Promise.all(burst.map((j) => store.enqueueJob(j)));
    expect(results.filter((r) => r === "queued")).toHaveLength(40);
    expect(results.slice(40)).toEqual(["duplicate", "duplicate"]);
    expect(await database.db().inboxJob.count()).toBe(40);
    expect(await Promise.all([store.enqueueJob(job(5)), store.enqueueJob(job(41))])).toEqual(["duplicate", "queued"]);
  });
});

describe("claiming", () => {
  it("two workers claiming at once never get the same job, and together get every due one", async () => {
    for (let n = 0; n < 30; n++) await store.enqueueJob(job(n));
    const [x, y] = await Promise.all([store.claimJobs("w1", { limit: 30, leaseMs: 60_000 }), store.claimJobs("w2", { limit: 30, leaseMs: 60_000 })]);
    const ids = [...x, ...y].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(30);
    expect(await store.claimJobs("w3", { limit: 30, leaseMs: 60_000 })).toEqual([]);
  });

  it("a job whose worker died is taken over when the lease expires; the dead worker's late outcome is ignored", async () => {
    await store.enqueueJob(job(1));
    const [first] = await store.claimJobs("w1", { limit: 1, leaseMs: 1_000 });
    expect(await store.claimJobs("w2", { limit: 1, leaseMs: 1_000 })).toEqual([]);
    const [second] = await store.claimJobs("w2", { limit: 1, leaseMs: 60_000, now: new Date(Date.now() + 2_000) });
    expect(second).toMatchObject({ id: first!.id, attempt: 2, dedupKey: first!.dedupKey });
    expect(await store.completeJob(first!)).toBe(false);
    expect(await store.completeJob(second!)).toBe(true);
    expect(await database.db().inboxJob.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "done", attempts: 2 });
  });

  it("the next wake-up is the earliest of a pending job's retry time and a running job's lease end (a dead instance's job)", async () => {
    expect(await store.nextDueAt()).toBeNull();
    await store.enqueueJob(job(1));
    await store.enqueueJob(job(2));
    const [held] = await store.claimJobs("dead-instance", { limit: 1, leaseMs: 5_000 });
    const lease = (await database.db().inboxJob.findUniqueOrThrow({ where: { id: held!.id } })).leaseUntil!;
    const pending = (await database.db().inboxJob.findFirstOrThrow({ where: { status: "pending" } })).runAfter;
    expect((await store.nextDueAt())!.getTime()).toBe(Math.min(lease.getTime(), pending.getTime()));
    await database.db().inboxJob.updateMany({ where: { status: "pending" }, data: { runAfter: new Date(Date.now() + 3_600_000) } });
    expect((await store.nextDueAt())!.getTime()).toBe(lease.getTime());
  });
});

describe("running", () => {
  it("passes the same idempotency key to every run, retries with backoff, and stops after MAX_ATTEMPTS", async () => {
    await store.enqueueJob(job(1));
    const keys: string[] = [];
    const failing = async (j: Store.ClaimedJob) => {
      keys.push(j.dedupKey);
      throw new Error(`boom ${j.attempt}`);
    };
    let now = Date.now();
    const outcomes: string[] = [];
    for (let i = 0; i < worker.MAX_ATTEMPTS; i++) {
      const [claimed] = await store.claimJobs("w1", { limit: 1, leaseMs: 60_000, now: new Date(now) });
      expect(claimed?.attempt).toBe(i + 1);
      outcomes.push(await worker.runJob(claimed!, { run: failing, now: () => now, random: () => 1 }));
      const row = await database.db().inboxJob.findUniqueOrThrow({ where: { id: claimed!.id } });
      if (row.status === "pending") expect(row.runAfter.getTime() - now).toBe(worker.backoffMs(i + 1, () => 1));
      now += 11 * 60_000;
    }
    expect(outcomes).toEqual(["retry", "retry", "retry", "retry", "dead"]);
    expect(new Set(keys).size).toBe(1);
    const [dead] = await store.deadJobs(A);
    expect(dead).toMatchObject({ name: "ONCRMDEALADD", attempts: 5, lastError: "Error: boom 5" });
    expect(await store.claimJobs("w1", { limit: 1, leaseMs: 60_000, now: new Date(now + 3_600_000) })).toEqual([]);

    expect(await store.retryJob(dead!.id, B)).toBe(false);
    expect(await store.retryJob(dead!.id, A)).toBe(true);
    const [again] = await store.claimJobs("w1", { limit: 1, leaseMs: 60_000 });
    expect(await worker.runJob(again!, { run: async () => undefined })).toBe("done");
    expect(await store.jobCounts(A)).toEqual({ pending: 0, running: 0, done: 1, dead: 0 });
  });

  it("a permanent failure (no handler any more, an uninstalled portal) is dead at once", async () => {
    await store.enqueueJob(job(1));
    const [j] = await store.claimJobs("w1", { limit: 1, leaseMs: 60_000 });
    expect(await worker.runJob(j!, { run: async () => { throw new worker.Permanent("no handler"); } })).toBe("dead");
    expect((await store.deadJobs(A))[0]!.lastError).toBe("no handler");
  });

  it("backoff doubles from 2 s, is capped at 10 min, and is jittered to 50–100 %", () => {
    expect([1, 2, 3].map((n) => worker.backoffMs(n, () => 1))).toEqual([2_000, 4_000, 8_000]);
    expect(worker.backoffMs(30, () => 1)).toBe(600_000);
    expect(worker.backoffMs(1, () => 0)).toBe(1_000);
  });
});
