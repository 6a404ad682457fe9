import pg from "pg";
import { e2e } from "@/e2e/env";
import { startCluster, type AppCluster } from "./app-process";
import { startHaproxy } from "./balancer";
import { bucketCost, type BucketCost } from "./bucket-cost";
import { load, percentile, type LoadResult } from "./load";
import { proxyCall, signInSession } from "./session";
import { ms, type Cell } from "./table";

/**
 * Several instances behind a real load balancer: 3 `next start` instances on one PostgreSQL database behind HAProxy
 * (bench/balancer.ts), the emulated portals on Bitrix24's standard bucket (burst 50, 2 per second) and the app's
 * limiter set the same. Four phases, each on its own portals so one phase's bucket use does not pace another:
 *   1. throughput: the same proxied calls straight to one instance, then through the balancer to all three;
 *   2. the bucket: every instance pushes the same few portals far past 2 calls/s; Bitrix24 must see no
 *      QUERY_LIMIT_EXCEEDED, because the instances share one bucket in the database;
 *   3. an instance killed (SIGKILL) in the middle of proxied calls and event deliveries: calls re-routed, no token pair
 *      lost, no delivery lost (each stored once in the inbox and handled).
 */
export interface ScaleOptions {
  /** Portals of the throughput phase, each with a signed-in user; calls are spread over them. */
  portals: number;
  calls: number;
  concurrency: number;
  pushPortals: number;
  pushSeconds: number;
  eventPortals: number;
  deliveries: number;
  killSeconds: number;
  /** Acquisitions of the bucket-cost measurement (bench/bucket-cost.ts). */
  bucketCalls: number;
}

export const SCALE_QUICK: ScaleOptions = { portals: 12, calls: 240, concurrency: 20, pushPortals: 2, pushSeconds: 5, eventPortals: 3, deliveries: 30, killSeconds: 6, bucketCalls: 400 };
export const SCALE_FULL: ScaleOptions = { portals: 80, calls: 2400, concurrency: 50, pushPortals: 3, pushSeconds: 30, eventPortals: 10, deliveries: 200, killSeconds: 20, bucketCalls: 3000 };

export interface ScaleFigures extends ScaleOptions {
  instances: number;
  one: { rps: number; p50: number; p99: number; failed: number };
  three: { rps: number; p50: number; p99: number; failed: number };
  push: { calls: number; ok: number; refused: number; queryLimitExceeded: number; reachedPortal: number; perPortalPerSec: number };
  kill: {
    calls: number;
    failedCalls: number;
    deliveries: number;
    deliveriesNot200: number;
    stored: number;
    handled: number;
    pairs: Record<string, number>;
    afterwardOk: number;
    afterwardOf: number;
  };
  bucket: BucketCost;
}

const STANDARD = { burst: 50, drainPerSec: 2 };

function stats(r: LoadResult) {
  return { rps: r.sent / r.seconds, p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99), failed: r.failed };
}

async function signInAll(cluster: AppCluster, from: number, count: number): Promise<string[]> {
  const out: string[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await signInSession(cluster.urls[0]!, cluster.emu, from + i);
      }
    }),
  );
  return out;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`scale: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const say = (line: string) => process.stderr.write(`  scale: ${line}\n`);

export async function scaleBench(opts: ScaleOptions): Promise<{ rows: Cell[][]; figures: ScaleFigures }> {
  say("starting 3 instances behind HAProxy");
  const total = opts.portals + opts.pushPortals + opts.eventPortals;
  const cluster = await startCluster({
    instances: 3,
    flavour: "postgres",
    balancer: startHaproxy,
    emulator: { rateLimit: STANDARD, portals: Array.from({ length: total }, () => ({ deals: 40 })) },
    // A 3 s lease (default 60 s) so the killed instance's jobs are taken over within the run; leases are renewed while a job runs.
    env: { B24_RATE_LIMIT_BURST: String(STANDARD.burst), B24_RATE_LIMIT_PER_SEC: String(STANDARD.drainPerSec), B24_WORKER_MODE: "web", B24_WORKER_LEASE_MS: "3000" },
  });
  const db = new pg.Client({ connectionString: e2e.databaseUrl });
  try {
    await db.connect();
    const { emu, urls, processes } = cluster;
    const [lb, a1, a2, a3] = urls as [string, string, string, string];
    say(`signing in ${opts.portals} portals`);
    const sessions = await signInAll(cluster, 0, opts.portals);
    say("throughput");

    // 1. Throughput: one instance directly, then the balancer over three; the same number of calls, same portals.
    const one = await load({ concurrency: opts.concurrency, total: opts.calls / 2, maxMs: 120_000, send: call(a1, sessions) });
    const three = await load({ concurrency: opts.concurrency, total: opts.calls / 2, maxMs: 120_000, send: call(lb, sessions) });

    // 2. The bucket: all three instances push the same portals as hard as they can.
    say("pushing against the bucket");
    const pushSessions = await signInAll(cluster, opts.portals, opts.pushPortals);
    const pushStart = (await emu.control.log()).at(-1)?.seq ?? 0;
    const pushed = await load({
      concurrency: opts.concurrency,
      maxMs: opts.pushSeconds * 1000,
      send: async (i) => {
        const r = await proxyCall([a1, a2, a3][i % 3]!, pushSessions[i % pushSessions.length]!, "user.current");
        return { ok: r.status === 200, detail: String(r.status) };
      },
    });
    const pushLog = (await emu.control.log(pushStart)).filter((l) => l.server === "portal" && l.path.startsWith("/rest/"));
    const push = {
      calls: pushed.sent,
      ok: pushed.ok,
      refused: pushed.failed,
      queryLimitExceeded: pushLog.filter((l) => l.status === 503).length,
      reachedPortal: pushLog.length,
      perPortalPerSec: pushLog.length / opts.pushPortals / pushed.seconds,
    };

    // 3. Kill one instance while calls and deliveries flow through the balancer.
    say("killing an instance mid-run");
    const eventFrom = opts.portals + opts.pushPortals;
    const eventPortals = emu.portals.slice(eventFrom, eventFrom + opts.eventPortals);
    for (const p of eventPortals) {
      const { delivery } = await emu.control.install(p.memberId, { noUi: true });
      if (delivery?.status !== 200) throw new Error(`ONAPPINSTALL answered ${delivery?.status}`);
    }
    await until("event binding", async () => {
      const bound = (await emu.control.log()).filter((l) => l.path.startsWith("/rest/event.bind") && l.status === 200);
      return eventPortals.every((p) => bound.some((l) => l.host === p.host));
    }, 60_000);
    say("events bound; signing in the event portals");
    const killSessions = await signInAll(cluster, eventFrom, opts.eventPortals);
    say("calls and deliveries; an instance is killed halfway");
    const killAt = Date.now() + (opts.killSeconds * 1000) / 2;
    let killed = false;
    const deliveryStatuses: number[] = [];
    const [calls] = await Promise.all([
      load({
        concurrency: Math.min(opts.concurrency, 10),
        maxMs: opts.killSeconds * 1000,
        send: async (i) => {
          if (!killed && Date.now() >= killAt) {
            killed = true;
            processes[1]!.kill("SIGKILL");
          }
          return call(lb, killSessions)(i);
        },
      }),
      (async () => {
        for (let n = 0; n < opts.deliveries; n++) {
          const p = eventPortals[n % eventPortals.length]!;
          const { deliveries } = await emu.control.events(p.memberId, { event: "ONCRMDEALADD", data: { FIELDS: { ID: (n % 40) + 1 } } });
          for (const d of deliveries.filter((x) => x.event === "ONCRMDEALADD")) deliveryStatuses.push(d.status);
          await new Promise((r) => setTimeout(r, (opts.killSeconds * 1000) / opts.deliveries / 2));
        }
      })(),
    ]);
    if (!killed) processes[1]!.kill("SIGKILL");
    const members = eventPortals.map((p) => p.memberId);
    const count = async (status?: string) =>
      Number((await db.query(`SELECT count(*) AS n FROM "InboxJob" WHERE name = 'ONCRMDEALADD' AND "memberId" = ANY($1)${status ? ` AND status = '${status}'` : ""}`, [members])).rows[0].n);
    const stored = await count();
    say(`${stored} deliveries stored; waiting until each is handled`);
    await until("every stored delivery handled", async () => (await count("done")) >= stored, 120_000);
    const pairs = Object.fromEntries((await db.query(`SELECT status, count(*) AS n FROM "TokenPair" GROUP BY status`)).rows.map((r) => [r.status, Number(r.n)]));
    const after = await Promise.all([...sessions.slice(0, 5), ...killSessions].map((c) => proxyCall(lb, c, "user.current")));
    say("the bucket's own cost per call");
    const bucket = await bucketCost(e2e.databaseUrl, { calls: opts.bucketCalls, concurrency: 20 });
    const figures: ScaleFigures = {
      ...opts,
      instances: 3,
      one: stats(one),
      three: stats(three),
      push,
      kill: {
        calls: calls.sent,
        failedCalls: calls.failed,
        deliveries: deliveryStatuses.length,
        deliveriesNot200: deliveryStatuses.filter((s) => s !== 200).length,
        stored,
        handled: await count("done"),
        pairs,
        afterwardOk: after.filter((r) => r.status === 200).length,
        afterwardOf: after.length,
      },
      bucket,
    };
    return { rows: scaleRows(figures), figures };
  } finally {
    await db.end().catch(() => {});
    await cluster.stop();
  }
}

function call(base: string, sessions: string[]) {
  return async (i: number) => {
    const r = await proxyCall(base, sessions[i % sessions.length]!, "user.current");
    return { ok: r.status === 200, detail: `${r.status} ${r.body.slice(0, 80)}` };
  };
}

function scaleRows(f: ScaleFigures): Cell[][] {
  const k = f.kill;
  return [
    ["measure", "figure", "notes"],
    ["proxied calls, 1 instance direct (req/s, p50 / p99)", `${f.one.rps.toFixed(0)} req/s, ${ms(f.one.p50)} / ${ms(f.one.p99)}`, `${f.calls / 2} calls, ${f.concurrency} clients, ${f.portals} portals, ${f.one.failed} failed`],
    ["proxied calls, 3 instances behind HAProxy", `${f.three.rps.toFixed(0)} req/s, ${ms(f.three.p50)} / ${ms(f.three.p99)}`, `same calls; ${(f.three.rps / f.one.rps).toFixed(2)}x the single instance; ${f.three.failed} failed`],
    ["3 instances pushing the same portals", `${f.push.queryLimitExceeded} QUERY_LIMIT_EXCEEDED`, `${f.pushPortals} portals, ${f.pushSeconds} s: ${f.push.calls} calls, ${f.push.ok} answered 200, ${f.push.reachedPortal} reached Bitrix24 (${f.push.perPortalPerSec.toFixed(1)}/s per portal; bucket 50 + 2/s)`],
    ["one of 3 instances killed mid-run: proxied calls", `${k.failedCalls} of ${k.calls} failed`, "through HAProxy, which routes around the dead instance"],
    ["one of 3 instances killed mid-run: event deliveries", `${k.deliveriesNot200} of ${k.deliveries} not answered 200`, `${k.stored} stored in the inbox, ${k.handled} handled`],
    ["bucket cost per call, one at a time (p50 / p99)", `PostgreSQL ${ms(f.bucket.serial.db.p50)} / ${ms(f.bucket.serial.db.p99)}`, `in memory (one instance) ${ms(f.bucket.serial.memory.p50)} / ${ms(f.bucket.serial.memory.p99)}; ${f.bucketCalls} acquisitions, no waiting for the bucket`],
    [`bucket acquisitions per second, ${f.bucket.parallel.concurrency} at once`, `PostgreSQL ${f.bucket.parallel.dbPerSec.toFixed(0)}/s`, `in memory ${f.bucket.parallel.memoryPerSec.toFixed(0)}/s; the proxied calls above reached ${f.three.rps.toFixed(0)}/s`],
    ["token pairs afterwards", Object.entries(k.pairs).map(([s, n]) => `${n} ${s}`).join(", "), `${k.afterwardOk} of ${k.afterwardOf} sessions answered 200 afterwards`],
  ];
}

export function scaleTargets(f: ScaleFigures): Array<{ target: string; met: boolean; figure: string; correctness: boolean }> {
  const k = f.kill;
  return [
    { target: "scale: 0 QUERY_LIMIT_EXCEEDED while 3 instances push the same portals", met: f.push.queryLimitExceeded === 0, figure: `${f.push.queryLimitExceeded} in ${f.push.reachedPortal} calls that reached Bitrix24`, correctness: true },
    { target: "scale: an instance killed mid-run loses no event and no token pair", met: k.deliveriesNot200 === 0 && k.stored === k.deliveries && k.handled === k.stored && !k.pairs.needs_reauth && k.afterwardOk === k.afterwardOf, figure: `${k.deliveriesNot200} deliveries not 200, ${k.stored}/${k.deliveries} stored, ${k.handled} handled, pairs ${JSON.stringify(k.pairs)}, ${k.afterwardOk}/${k.afterwardOf} sessions work`, correctness: true },
    { target: "scale: proxied calls re-routed when an instance dies (0 failed)", met: k.failedCalls === 0, figure: `${k.failedCalls} of ${k.calls} failed`, correctness: false },
    { target: "scale: the shared PostgreSQL bucket grants at least 5x the proxied calls per second (it does not cap throughput)", met: f.bucket.parallel.dbPerSec >= 5 * f.three.rps, figure: `${f.bucket.parallel.dbPerSec.toFixed(0)} acquisitions/s vs ${f.three.rps.toFixed(0)} proxied calls/s`, correctness: false },
    { target: "scale: 3 instances at least 1x the throughput of one (2 cores: no headroom expected)", met: f.three.rps >= f.one.rps, figure: `${f.three.rps.toFixed(0)} vs ${f.one.rps.toFixed(0)} req/s`, correctness: false },
  ];
}
