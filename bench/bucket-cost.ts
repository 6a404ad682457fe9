import { appEnv } from "@/e2e/env";
import { percentile } from "./load";

/**
 * What the shared PostgreSQL bucket costs per call: the app's own DbRateLimiter (one compare-and-swap on the portal's
 * RateBucket row per request) against the same bucket kept in memory (MemoryRateLimiter, the single-instance SQLite
 * deployment), on the scale bench's database while nothing else runs. Slots are spread over enough portals that no
 * acquisition waits for the bucket, so the figures are the bookkeeping alone: one at a time (latency added to a
 * call) and `concurrency` at once (the acquisitions per second one process can grant, the ceiling the bucket puts on
 * throughput). Needs the PostgreSQL flavour of the generated client, which the scale section's build provides.
 */
export interface BucketCost {
  serial: { db: { p50: number; p99: number }; memory: { p50: number; p99: number } };
  parallel: { concurrency: number; dbPerSec: number; memoryPerSec: number };
}

export async function bucketCost(databaseUrl: string, opts: { calls: number; concurrency: number }): Promise<BucketCost> {
  Object.assign(process.env, { ...appEnv(), DATABASE_URL: databaseUrl, LOG_LEVEL: "error" });
  const { DbRateLimiter, MemoryRateLimiter } = await import("@/lib/bitrix24/transport/limiter");
  const { db } = await import("@/lib/db");
  const params = { burst: 1_000_000, perSec: 1_000_000 };
  const portals = Array.from({ length: 50 }, (_, i) => `bench${String(i).padStart(27, "0")}`);
  try {
    const serial = async (l: { acquire(m: string): Promise<void> }) => {
      const times: number[] = [];
      for (let i = 0; i < opts.calls; i++) {
        const t0 = performance.now();
        await l.acquire(portals[i % portals.length]!);
        times.push(performance.now() - t0);
      }
      return { p50: percentile(times, 50), p99: percentile(times, 99) };
    };
    const parallel = async (l: { acquire(m: string): Promise<void> }) => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < opts.calls) await l.acquire(portals[next++ % portals.length]!);
        }),
      );
      return opts.calls / ((performance.now() - t0) / 1000);
    };
    const dbLimiter = new DbRateLimiter(params);
    const memLimiter = new MemoryRateLimiter(params);
    // Warm the connection pool and create the rows first: the steady state is an update of an existing row.
    await Promise.all(portals.map((p) => dbLimiter.acquire(p)));
    return {
      serial: { db: await serial(dbLimiter), memory: await serial(memLimiter) },
      parallel: { concurrency: opts.concurrency, dbPerSec: await parallel(dbLimiter), memoryPerSec: await parallel(memLimiter) },
    };
  } finally {
    await db().$disconnect();
  }
}
