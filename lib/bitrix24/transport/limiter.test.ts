import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Limiter from "./limiter";
import { BUCKET_PLANS, EPISODE_MS, QUIET_MS, RECOVERY_PER_SEC } from "./bucket";

/**
 * Two limiter instances (as two app processes) sharing one database: together they must never let more through
 * than Bitrix24's own bucket would accept, measured with a model of that bucket over the real grant times.
 */
let database: typeof Db;
let limiter: typeof Limiter;
let cleanup = () => {};

beforeAll(async () => {
  ({ cleanup } = useAppDatabase({
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    // The deployment default, distinct from both plans so a test can tell which one a portal got.
    B24_RATE_LIMIT_BURST: "30",
    B24_RATE_LIMIT_PER_SEC: "3",
  }));
  database = await import("@/lib/db");
  limiter = await import("./limiter");
});
afterAll(async () => {
  await database?.db().$disconnect();
  cleanup();
});

/** Replays the grant times through a model of Bitrix24's bucket: it must never overflow. */
function expectWithinBucket(grants: number[], bucket: { burst: number; perSec: number }): void {
  const sorted = [...grants].sort((x, y) => x - y);
  let level = 0;
  let at = sorted[0]!;
  for (const t of sorted) {
    level = Math.max(0, level - ((t - at) / 1000) * bucket.perSec) + 1;
    at = t;
    expect(level).toBeLessThanOrEqual(bucket.burst);
  }
}

describe("DbRateLimiter", () => {
  it("keeps two instances together within the portal's bucket [#40]", async () => {
    const bucket = { burst: 10, perSec: 40 };
    const a = new limiter.DbRateLimiter(bucket);
    const b = new limiter.DbRateLimiter(bucket);
    const grants: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).acquire("dddd0000dddd0000dddd0000dddd0000").then(() => grants.push(Date.now()))),
    );
    expect(grants).toHaveLength(60);
    expectWithinBucket(grants, bucket);
    // Paced, not serialised to a crawl: 60 requests at ~38/s after a burst of 7 take about 1.4 s.
    expect(Date.now() - started).toBeGreaterThan(1_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("the in-memory bucket (single SQLite instance) obeys the same model", async () => {
    const bucket = { burst: 10, perSec: 40 };
    const l = new limiter.MemoryRateLimiter(bucket);
    const grants: number[] = [];
    await Promise.all(Array.from({ length: 60 }, () => l.acquire("ffff0000ffff0000ffff0000ffff0000").then(() => grants.push(Date.now()))));
    expectWithinBucket(grants, bucket);
    expect(grants.at(-1)! - grants[0]!).toBeGreaterThan(1_000);
  });

  it("buckets are per portal", async () => {
    const l = new limiter.DbRateLimiter({ burst: 5, perSec: 1 });
    const started = Date.now();
    await Promise.all(["a", "b", "c"].map((p) => Promise.all([1, 2].map(() => l.acquire(`${p}000eeee0000eeee0000eeee0000eee`)))));
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

/** A clock the limiter runs on: sleeping moves it, nothing waits for real. */
function fakeTime(start = 1_700_000_000_000) {
  const t = { now: start, slept: [] as number[] };
  return { t, opts: { now: () => t.now, sleep: async (ms: number) => void (t.slept.push(ms), (t.now += ms)) } };
}

/** How many acquisitions pass before the first wait (on a clock only sleeping moves), and how long that wait was. */
async function burstOf(l: Limiter.DbRateLimiter | Limiter.MemoryRateLimiter, memberId: string, t: { slept: number[] }): Promise<{ burst: number; waitMs: number }> {
  t.slept.length = 0;
  let n = 0;
  while (t.slept.length === 0 && n < 1_000) {
    await l.acquire(memberId);
    n++;
  }
  return { burst: n - 1, waitMs: t.slept.reduce((a, b) => a + b, 0) };
}

async function portalRow(memberId: string, bucket: { burst: number; perSec: number } | null) {
  await database.db().portal.create({
    data: { memberId, domain: `${memberId.slice(0, 6)}.bitrix24.com`, clientEndpoint: "https://x.bitrix24.com/rest/", serverEndpoint: "https://oauth.bitrix.info/rest/", bucketBurst: bucket?.burst ?? null, bucketRate: bucket?.perSec ?? null },
  });
}

describe("per-portal bucket", () => {
  const ENT = "e0000000e0000000e0000000e0000001";
  const STD = "50000000500000005000000050000001";
  const NONE = "d0000000d0000000d0000000d0000001";

  beforeAll(async () => {
    await portalRow(ENT, BUCKET_PLANS.enterprise);
    await portalRow(STD, BUCKET_PLANS.standard);
    await portalRow(NONE, null);
  });

  it.each([
    ["the database", "DbRateLimiter"],
    ["memory", "MemoryRateLimiter"],
  ] as const)("an Enterprise portal gets 250, a standard one 50, one with nothing set the env default (bucket in %s)", async (_where, kind) => {
    const { t, opts } = fakeTime();
    const l = new limiter[kind](limiter.portalBucketParams().get, opts);
    // Each less the safety slots (bucket.ts): 250 − 3, 50 − 3, 30 − 3; then one slot per drain at the rate less 5%.
    for (const [m, burst, perSec] of [[ENT, 247, 4.75], [STD, 47, 1.9], [NONE, 27, 2.85]] as const) {
      const got = await burstOf(l, m, t);
      expect(got.burst).toBe(burst);
      expect(got.waitMs).toBeGreaterThanOrEqual(1000 / perSec - 1);
      expect(got.waitMs).toBeLessThan(1000 / perSec + 25);
    }
    await database.db().rateBucket.deleteMany({});
  });

  it("a changed setting is used after the cache time, at once where it was saved, and a failed read uses the default", async () => {
    const { cachedBucketParams } = await import("./bucket-params");
    const { readBucketSetting, writeBucketSetting } = await import("../store/bucket-settings");
    const { t } = fakeTime();
    let reads = 0;
    const source = cachedBucketParams({ read: (m) => (reads++, readBucketSetting(m)), fallback: { burst: 30, perSec: 3 }, ttlMs: 30_000, now: () => t.now });
    expect(await source.get(NONE)).toEqual({ burst: 30, perSec: 3 });
    await writeBucketSetting(NONE, BUCKET_PLANS.enterprise);
    // Another instance: the cached value until the cache time is up, one read per portal per period.
    t.now += 29_999;
    expect(await Promise.all([source.get(NONE), source.get(NONE)])).toEqual([{ burst: 30, perSec: 3 }, { burst: 30, perSec: 3 }]);
    expect(reads).toBe(1);
    t.now += 1;
    expect(await source.get(NONE)).toEqual(BUCKET_PLANS.enterprise);
    expect(reads).toBe(2);
    // The instance that saved: forget() drops its entry.
    await writeBucketSetting(NONE, null);
    source.forget(NONE);
    expect(await source.get(NONE)).toEqual({ burst: 30, perSec: 3 });
    const failing = cachedBucketParams({ read: async () => Promise.reject(new Error("db down")), fallback: { burst: 30, perSec: 3 }, ttlMs: 30_000 });
    expect(await failing.get(ENT)).toEqual({ burst: 30, perSec: 3 });
  });
});

describe("slow-down shared through the RateBucket row", () => {
  const P = "c0000000c0000000c0000000c0000001";
  const standard = BUCKET_PLANS.standard;

  it("one instance's QUERY_LIMIT_EXCEEDED slows the other; a burst of refusals counts once; it recovers to 1", async () => {
    const { t, opts } = fakeTime();
    const a = new limiter.DbRateLimiter(standard, opts);
    const b = new limiter.DbRateLimiter(standard, opts);
    await a.acquire(P);
    // Several requests in flight on both instances come back refused together: one episode, one halving.
    await Promise.all([a.penalize(P), b.penalize(P), a.penalize(P), b.penalize(P)]);
    expect(await a.factorOf(P)).toBe(0.5);
    expect(await b.factorOf(P)).toBe(0.5);
    // The bucket counts as full at the lowered share: b's next slot waits for one drain at 0.95/s.
    t.slept.length = 0;
    await b.acquire(P);
    expect(t.slept.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1000 / 0.95 - 1);
    // A refusal after the episode halves again, whoever sees it.
    t.now += EPISODE_MS;
    await b.penalize(P);
    expect(await a.factorOf(P)).toBe(0.25);
    // Quiet: unchanged for QUIET_MS, then back to 1 at RECOVERY_PER_SEC.
    t.now += QUIET_MS;
    expect(await a.factorOf(P)).toBe(0.25);
    t.now += (0.75 / RECOVERY_PER_SEC) * 1000;
    expect(await a.factorOf(P)).toBe(1);
    expect(await b.factorOf(P)).toBe(1);
    // Recovered: the full burst again once the bucket has drained.
    t.now += 60_000;
    expect((await burstOf(a, P, t)).burst).toBe(47);
  });

  it("a slow-down and slot-taking racing on two instances both land (compare-and-swap on version)", async () => {
    const Q = "c0000000c0000000c0000000c0000002";
    const { opts } = fakeTime();
    const a = new limiter.DbRateLimiter(standard, opts);
    const b = new limiter.DbRateLimiter(standard, opts);
    await Promise.all([...Array.from({ length: 10 }, () => a.acquire(Q)), b.penalize(Q), ...Array.from({ length: 10 }, () => b.acquire(Q))]);
    const row = await database.db().rateBucket.findUniqueOrThrow({ where: { memberId: Q } });
    expect(row.factor).toBe(0.5);
    // 20 slots and one slow-down, each its own version: none overwrote another.
    expect(row.version).toBe(21);
  });

  it("the in-memory limiter slows down and recovers the same way", async () => {
    const { t, opts } = fakeTime();
    const m = new limiter.MemoryRateLimiter(standard, opts);
    await m.acquire(P);
    await m.penalize(P);
    await m.penalize(P);
    expect(await m.factorOf(P)).toBe(0.5);
    t.now += QUIET_MS + (0.5 / RECOVERY_PER_SEC) * 1000;
    expect(await m.factorOf(P)).toBe(1);
  });
});
