import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Limiter from "./limiter";

/**
 * Two limiter instances (as two app processes) sharing one database: together they must never let more through
 * than Bitrix24's own bucket would accept, measured with a model of that bucket over the real grant times.
 */
let database: typeof Db;
let limiter: typeof Limiter;
let cleanup = () => {};

beforeAll(async () => {
  ({ cleanup } = useAppDatabase({ TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}` }));
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
