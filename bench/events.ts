import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { appEnv } from "@/e2e/env";
import { startCluster, type AppCluster } from "./app-process";
import { ms, type Cell } from "./table";

/**
 * The events route and the inbox, on the real production build: 200 signed ONCRMDEALADD deliveries at once
 * (answer time: the delivery is verified and stored, the handler does not run before the answer), then how fast
 * `npm run worker` processes run what was stored (each job: crm.deal.get + app.option.set at the emulator, with the
 * portal's bucket out of the way so the figure is the inbox's own).
 */
const root = fileURLToPath(new URL("..", import.meta.url));
type Flavour = "sqlite" | "postgres";

export interface EventsFigures {
  flavour: Flavour;
  deliveries: number;
  ack: { p50: number; p99: number; max: number; failed: number };
  handled: Array<{ workers: number; jobs: number; seconds: number; perSec: number }>;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function deliverAll(cluster: AppCluster, memberId: string, appToken: string, n: number, round: number, concurrency = n): Promise<number[]> {
  const url = `${cluster.urls[0]}/api/b24/events`;
  const one = async (i: number) => {
    const body = new URLSearchParams({
      event: "ONCRMDEALADD",
      "data[FIELDS][ID]": String((i % 100) + 1),
      ts: String(1_700_000_000 + round * 10_000 + i),
      event_handler_id: "1",
      "auth[member_id]": memberId,
      "auth[application_token]": appToken,
      "auth[domain]": cluster.emu.portals[0]!.host,
    }).toString();
    const started = performance.now();
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    await res.arrayBuffer();
    return res.status === 200 ? performance.now() - started : -1;
  };
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) out.push(await one(next++));
    }),
  );
  return out;
}

/** Runs `workers` worker processes until the emulator has seen `jobs` more app.option.set calls (one per job). */
async function handledRate(cluster: AppCluster, env: NodeJS.ProcessEnv, workers: number, jobs: number): Promise<number> {
  const base = (await cluster.emu.control.log()).filter((r) => r.path === "/rest/app.option.set").length;
  const started = performance.now();
  const children: ChildProcess[] = Array.from({ length: workers }, () =>
    spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "--conditions=react-server", "scripts/worker.ts"], { cwd: root, env, stdio: "ignore" }),
  );
  try {
    for (;;) {
      const done = (await cluster.emu.control.log()).filter((r) => r.path === "/rest/app.option.set").length - base;
      if (done >= jobs) break;
      if (performance.now() - started > 300_000) throw new Error(`only ${done} of ${jobs} jobs ran in 300 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance.now() - started) / 1000;
  } finally {
    for (const c of children) c.kill("SIGTERM");
  }
}

export async function eventsBench(opts: { quick: boolean; flavour: Flavour }): Promise<{ rows: Cell[][]; figures: EventsFigures }> {
  const deliveries = 200;
  const env = { B24_WORKER_MODE: "separate", B24_RATE_LIMIT_BURST: "10000", B24_RATE_LIMIT_PER_SEC: "10000" };
  const cluster = await startCluster({ instances: 1, flavour: opts.flavour, env, emulator: { portals: [{ deals: 100 }] } });
  try {
    const portal = cluster.emu.portals[0]!;
    const { applicationToken, delivery } = await cluster.emu.control.install(portal.memberId, { noUi: true });
    if (delivery?.status !== 200) throw new Error(`ONAPPINSTALL answered ${delivery?.status}`);
    // The installer binds the events after answering; the bench posts straight to the route, so it need not wait.
    const workerEnv = { ...appEnv(), ...env, LOG_LEVEL: "error", E2E_APP_LOG: "" } as unknown as NodeJS.ProcessEnv;
    // Warm the route first (JIT, connection pool), then one at a time (the route's own cost), then all at once.
    await deliverAll(cluster, portal.memberId, applicationToken, 20, 90, 4);
    const serial = (await deliverAll(cluster, portal.memberId, applicationToken, 50, 91, 1)).filter((x) => x >= 0).sort((a, b) => a - b);
    const lat = await deliverAll(cluster, portal.memberId, applicationToken, deliveries, 0);
    const ok = lat.filter((x) => x >= 0).sort((a, b) => a - b);
    const handled: EventsFigures["handled"] = [];
    const counts = opts.flavour === "postgres" ? (opts.quick ? [1] : [1, 2]) : [1];
    for (const [round, workers] of counts.entries()) {
      // Each round runs its own fresh batch of stored deliveries.
      if (round > 0) await deliverAll(cluster, portal.memberId, applicationToken, deliveries, round);
      const seconds = await handledRate(cluster, workerEnv, workers, deliveries);
      handled.push({ workers, jobs: deliveries, seconds, perSec: deliveries / seconds });
    }
    const figures: EventsFigures = {
      flavour: opts.flavour,
      deliveries,
      ack: { p50: pct(ok, 50), p99: pct(ok, 99), max: ok.at(-1) ?? 0, failed: lat.length - ok.length },
      handled,
    };
    const rows: Cell[][] = [
      ["measure", opts.flavour, "notes"],
      ["answer time, one delivery at a time (p50 / p99)", `${ms(pct(serial, 50))} / ${ms(pct(serial, 99))}`, "the route's own cost: verify, store, answer"],
      [`answer time, ${deliveries} deliveries at once (p50 / p99 / max)`, `${ms(figures.ack.p50)} / ${ms(figures.ack.p99)} / ${ms(figures.ack.max)}`, `${figures.ack.failed} not answered 200`],
      ...handled.map((h) => [`handled by ${h.workers} worker process(es)`, `${h.perSec.toFixed(0)} jobs/s`, `${h.jobs} jobs in ${h.seconds.toFixed(2)} s (process start included)`]),
    ];
    return { rows, figures };
  } finally {
    await cluster.stop();
  }
}
