import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { appEnv } from "@/e2e/env";
import { startCluster, type AppCluster } from "./app-process";
import { BARE_ROUTES, buildBare, startBare } from "./bare-next";
import { ms, type Cell } from "./table";

/**
 * The events route and the inbox, on the real production build: 200 signed ONCRMDEALADD deliveries at once
 * (answer time: the delivery is verified and stored, the handler does not run before the answer), then how fast
 * `npm run worker` processes run what was stored (each job: crm.deal.get + app.option.set at the emulator, with the
 * portal's bucket out of the way so the figure is the inbox's own). Beside it, the Next.js floor: a bare app built with
 * the same `next` whose route answers any POST at once, fed the same deliveries (same bodies, same warm-up, same burst).
 */
const root = fileURLToPath(new URL("..", import.meta.url));
type Flavour = "sqlite" | "postgres";

export interface EventsFigures {
  flavour: Flavour;
  deliveries: number;
  ack: { p50: number; p99: number; max: number; failed: number };
  /** A bare Next.js route answering the same POSTs at once (the framework alone): serialP50/P99 one at a time, the rest all at once. */
  floor: { serialP50: number; serialP99: number; p50: number; p99: number; max: number; failed: number };
  handled: Array<{ workers: number; jobs: number; seconds: number; perSec: number }>;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Where the deliveries go and what they carry: the app's events route, or the bare app's, with the same bodies. */
interface Target {
  base: string;
  memberId: string;
  appToken: string;
  domain: string;
}

/** Answer times in ms of `n` deliveries, `concurrency` in flight; -1 for a delivery not answered 200. */
async function deliverAll(target: Target, n: number, round: number, concurrency = n): Promise<number[]> {
  const { memberId, appToken } = target;
  const url = `${target.base}/api/b24/events`;
  const one = async (i: number) => {
    const body = new URLSearchParams({
      event: "ONCRMDEALADD",
      "data[FIELDS][ID]": String((i % 100) + 1),
      ts: String(1_700_000_000 + round * 10_000 + i),
      event_handler_id: "1",
      "auth[member_id]": memberId,
      "auth[application_token]": appToken,
      "auth[domain]": target.domain,
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

const sortedOk = (lat: number[]) => lat.filter((x) => x >= 0).sort((a, b) => a - b);

/** Warm the route first (JIT, connection pool), then one at a time (the route's own cost), then all at once. */
async function answerTimes(target: Target, deliveries: number): Promise<{ serial: number[]; burst: number[]; failed: number }> {
  await deliverAll(target, 20, 90, 4);
  const serial = sortedOk(await deliverAll(target, 50, 91, 1));
  const lat = await deliverAll(target, deliveries, 0);
  const burst = sortedOk(lat);
  return { serial, burst, failed: lat.length - burst.length };
}

/** The bare app is built once per bench run (both flavours share it) and removed when the process exits. */
let bareBuild: ReturnType<typeof buildBare> | undefined;
function bareDir(): string {
  if (!bareBuild) {
    bareBuild = buildBare("bare-events", BARE_ROUTES);
    const built = bareBuild;
    process.once("exit", () => built.remove());
  }
  return bareBuild.dir;
}

/** The Next.js floor: the same deliveries to a bare app's route that answers at once (`next start`, same `next`). */
async function nextFloor(bodies: Omit<Target, "base">, deliveries: number): Promise<EventsFigures["floor"]> {
  const app = await startBare(bareDir());
  try {
    const t = await answerTimes({ ...bodies, base: app.url }, deliveries);
    return { serialP50: pct(t.serial, 50), serialP99: pct(t.serial, 99), p50: pct(t.burst, 50), p99: pct(t.burst, 99), max: t.burst.at(-1) ?? 0, failed: t.failed };
  } finally {
    await app.stop();
  }
}

/** Runs `workers` worker processes until the emulator has seen `jobs` more app.option.set calls (one per job). */
async function handledRate(cluster: AppCluster, env: NodeJS.ProcessEnv, workers: number, jobs: number): Promise<number> {
  const base = (await cluster.emu.control.log()).filter((r) => r.path === "/rest/app.option.set").length;
  const started = performance.now();
  // `npm run worker` without the tsx CLI in between: one process per worker, so stopping it stops the worker (a
  // SIGTERM to the CLI left the worker running on after the bench, retrying its jobs against the stopped emulator).
  const children: ChildProcess[] = Array.from({ length: workers }, () =>
    spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], { cwd: root, env, stdio: "ignore" }),
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
    // Stopped while the emulator still answers, so the jobs in hand finish; a worker still running after 5 s is killed.
    await Promise.all(children.map(stopWorker));
  }
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function eventsBench(opts: { quick: boolean; flavour: Flavour }): Promise<{ rows: Cell[][]; figures: EventsFigures }> {
  const deliveries = 200;
  // Built before the app starts, so the build's CPU does not overlap anything measured.
  bareDir();
  const env = { B24_WORKER_MODE: "separate", B24_RATE_LIMIT_BURST: "10000", B24_RATE_LIMIT_PER_SEC: "10000" };
  const cluster = await startCluster({ instances: 1, flavour: opts.flavour, env, emulator: { portals: [{ deals: 100 }] } });
  try {
    const portal = cluster.emu.portals[0]!;
    const { applicationToken, delivery } = await cluster.emu.control.install(portal.memberId, { noUi: true });
    if (delivery?.status !== 200) throw new Error(`ONAPPINSTALL answered ${delivery?.status}`);
    // The installer binds the events after answering; the bench posts straight to the route, so it need not wait.
    const workerEnv = { ...appEnv(), ...env, LOG_LEVEL: "error", E2E_APP_LOG: "" } as unknown as NodeJS.ProcessEnv;
    const bodies = { memberId: portal.memberId, appToken: applicationToken, domain: portal.host };
    // The floor first, with the app idle (no worker runs yet) and the bare app stopped before the app is measured.
    const floor = await nextFloor(bodies, deliveries);
    const target: Target = { ...bodies, base: cluster.urls[0]! };
    const { serial, burst: ok, failed } = await answerTimes(target, deliveries);
    const handled: EventsFigures["handled"] = [];
    const counts = opts.flavour === "postgres" ? (opts.quick ? [1] : [1, 2]) : [1];
    for (const [round, workers] of counts.entries()) {
      // Each round runs its own fresh batch of stored deliveries.
      if (round > 0) await deliverAll(target, deliveries, round);
      const seconds = await handledRate(cluster, workerEnv, workers, deliveries);
      handled.push({ workers, jobs: deliveries, seconds, perSec: deliveries / seconds });
    }
    const figures: EventsFigures = {
      flavour: opts.flavour,
      deliveries,
      ack: { p50: pct(ok, 50), p99: pct(ok, 99), max: ok.at(-1) ?? 0, failed },
      floor,
      handled,
    };
    const rows: Cell[][] = [
      ["measure", opts.flavour, "notes"],
      ["answer time, one delivery at a time (p50 / p99)", `${ms(pct(serial, 50))} / ${ms(pct(serial, 99))}`, "the route's own cost: verify, store, answer"],
      [`answer time, ${deliveries} deliveries at once (p50 / p99 / max)`, `${ms(figures.ack.p50)} / ${ms(figures.ack.p99)} / ${ms(figures.ack.max)}`, `${figures.ack.failed} not answered 200`],
      ["Next.js floor, one at a time (p50 / p99)", `${ms(floor.serialP50)} / ${ms(floor.serialP99)}`, "a bare Next.js route (same `next`, `next start`) answering the same POSTs at once"],
      [`Next.js floor, ${deliveries} at once (p50 / p99 / max)`, `${ms(floor.p50)} / ${ms(floor.p99)} / ${ms(floor.max)}`, `${floor.failed} not answered 200 (warm-up, one at a time and burst as above)`],
      ...handled.map((h) => [`handled by ${h.workers} worker process(es)`, `${h.perSec.toFixed(0)} jobs/s`, `${h.jobs} jobs in ${h.seconds.toFixed(2)} s (process start included)`]),
    ];
    return { rows, figures };
  } finally {
    await cluster.stop();
  }
}
