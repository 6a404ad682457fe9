import { E2E_BUCKET } from "@/e2e/env";
import { startCluster } from "./app-process";
import { load, percentile } from "./load";
import { proxyCall, signInSession } from "./session";
import { ms, type Cell } from "./table";

/**
 * Refresh storm: 200 concurrent proxied calls right after every access token expired, spread over 3 app instances
 * sharing one PostgreSQL database (created and dropped here). The emulator counts the refresh grants it saw.
 */
export interface StormFigures {
  instances: number;
  calls: number;
  expiredPairs: number;
  grants: number;
  failed: number;
  p99Ms: number;
  seconds: number;
}

export async function stormBench(opts: { quick: boolean }): Promise<{ rows: Cell[][]; figures: StormFigures }> {
  const instances = 3;
  const calls = opts.quick ? 60 : 200;
  const cluster = await startCluster({
    instances,
    flavour: "postgres",
    emulator: { rateLimit: { burst: E2E_BUCKET.burst, drainPerSec: E2E_BUCKET.perSec } },
  });
  try {
    const { emu, urls } = cluster;
    const cookie = await signInSession(urls[0]!, emu);
    // Warm every instance (and its database pool) so the storm measures the refresh, not first-request start-up.
    for (const url of urls) if ((await proxyCall(url, cookie, "user.current")).status !== 200) throw new Error(`warm-up failed on ${url}`);
    await emu.control.expireTokens();
    const expiredPairs = (await emu.control.tokens()).filter((t) => t.accessExpired).length;
    const since = (await emu.control.log()).at(-1)?.seq ?? 0;
    const r = await load({
      concurrency: calls,
      total: calls,
      maxMs: 120_000,
      send: async (i) => {
        const a = await proxyCall(urls[i % urls.length]!, cookie, "user.current");
        return { ok: a.status === 200, detail: `${a.status} ${a.body.slice(0, 80)}` };
      },
    });
    const log = await emu.control.log(since);
    const grants = log.filter(
      (l) => l.server === "oauth" && l.path.startsWith("/oauth/token") && new URLSearchParams(l.body).get("grant_type") === "refresh_token",
    ).length;
    const figures = { instances, calls, expiredPairs, grants, failed: r.failed, p99Ms: percentile(r.latenciesMs, 99), seconds: r.seconds };
    const rows: Cell[][] = [
      ["instances", "calls", "expired pairs", "token grants", "failed calls", "p99", "wall time"],
      [instances, calls, expiredPairs, grants, r.failed, ms(figures.p99Ms), `${r.seconds.toFixed(2)} s`],
    ];
    return { rows, figures };
  } finally {
    await cluster.stop();
  }
}
