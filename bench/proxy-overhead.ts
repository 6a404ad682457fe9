import { startCluster } from "./app-process";
import { BARE_ROUTES, buildBare, startBare } from "./bare-next";
import { load, percentile, type LoadResult } from "./load";
import { post, proxyCall, signInSession } from "./session";
import { ms, type Cell } from "./table";

/**
 * Proxy overhead: `user.current` through the app's same-origin proxy (`next start`, the engine the build is for) vs the same call straight
 * to the emulator with the token the app stored, at 1, 10 and 50 concurrent clients; then throughput with every limit
 * off, spread over 100 signed-in portals. The app's own limiter is opened wide so only the proxy path is measured.
 */
export interface ProxyFigures {
  latency: Array<{ clients: number; direct: { p50: number; p99: number }; proxied: { p50: number; p99: number }; failed: number }>;
  throughput: { portals: number; clients: number; seconds: number; ok: number; failed: number; perSec: number };
  /** The same route answering 401 (no session: no database, no upstream call): what Next.js itself costs here. */
  floor: Floor;
  /** A bare Next.js app with the same route shape answering at once: the framework alone, none of our code. */
  bare: Floor;
}

interface Floor {
  p50: number;
  p99: number;
  perSec: number;
}

const summary = (r: LoadResult) => ({ p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99) });

/** Latency at 1 client and throughput at `clients` of one call that needs no setup. */
async function floorOf(send: () => Promise<{ ok: boolean; detail?: string }>, opts: { quick: boolean; clients: number }): Promise<Floor> {
  await load({ concurrency: 5, total: opts.quick ? 20 : 3_000, maxMs: 60_000, send });
  const one = await load({ concurrency: 1, total: opts.quick ? 40 : 2_000, maxMs: 60_000, send });
  const many = await load({ concurrency: opts.clients, maxMs: opts.quick ? 1_000 : 10_000, send });
  if (one.failed || many.failed) throw new Error(`floor run failed: ${[...one.failures, ...many.failures].join("; ")}`);
  return { ...summary(one), perSec: many.ok / many.seconds };
}

async function bareFloor(opts: { quick: boolean; clients: number }): Promise<Floor> {
  const built = buildBare("bare-route", BARE_ROUTES);
  try {
    const app = await startBare(built.dir);
    try {
      return await floorOf(async () => {
        const r = await proxyCall(app.url, "", "user.current");
        return { ok: r.status === 200, detail: `${r.status} ${r.body.slice(0, 80)}` };
      }, opts);
    } finally {
      await app.stop();
    }
  } finally {
    built.remove();
  }
}

export async function proxyBench(opts: { quick: boolean; flavour: "sqlite" | "postgres" }): Promise<{ rows: Cell[][]; figures: ProxyFigures; p50Overhead1: number }> {
  const clients = 50;
  // Measured first and alone: nothing else runs while the bare app is under load.
  const bare = await bareFloor({ quick: opts.quick, clients });
  const cluster = await startCluster({
    instances: 1,
    flavour: opts.flavour,
    emulator: { rateLimit: "off", logRequests: false, portals: [{}] },
    env: { B24_RATE_LIMIT_BURST: "10000", B24_RATE_LIMIT_PER_SEC: "10000" },
  });
  try {
    const { emu } = cluster;
    const app = cluster.urls[0]!;
    const cookie = await signInSession(app, emu);
    const pair = (await emu.control.tokens()).find((t) => t.memberId === emu.portals[0]!.memberId && t.userId === 1);
    if (!pair) throw new Error("the app stored no token pair");
    const direct = async () => {
      const res = await post(`${emu.portals[0]!.url}/rest/user.current`, { "content-type": "application/json" }, JSON.stringify({ auth: pair.access }));
      return { ok: res.status === 200, detail: String(res.status) };
    };
    const proxied = async () => {
      const r = await proxyCall(app, cookie, "user.current");
      return { ok: r.status === 200, detail: `${r.status} ${r.body.slice(0, 80)}` };
    };
    const unauthenticated = async () => {
      const r = await proxyCall(app, "", "user.current");
      return { ok: r.status === 401, detail: `${r.status} ${r.body.slice(0, 80)}` };
    };
    const perLevel = opts.quick ? 40 : 2_000;
    // Warm-up: Next compiles nothing at run time, but V8's JIT needs a few thousand calls before the figures settle
    // (measured: the first 1,500 sequential calls have a p50 about 40% higher), and the connection pools fill.
    await load({ concurrency: 5, total: opts.quick ? 20 : 3_000, maxMs: 60_000, send: proxied });
    await load({ concurrency: 5, total: opts.quick ? 20 : 1_000, maxMs: 30_000, send: direct });
    const latency: ProxyFigures["latency"] = [];
    for (const clients of [1, 10, 50]) {
      const d = await load({ concurrency: clients, total: perLevel, maxMs: 60_000, send: direct });
      const p = await load({ concurrency: clients, total: perLevel, maxMs: 60_000, send: proxied });
      if (p.failed || d.failed) throw new Error(`latency run failed: ${[...p.failures, ...d.failures].join("; ")}`);
      latency.push({ clients, direct: summary(d), proxied: summary(p), failed: p.failed + d.failed });
    }

    const floor = await floorOf(unauthenticated, { quick: opts.quick, clients });

    const portals = opts.quick ? 5 : 100;
    for (let i = emu.portals.length; i < portals; i++) emu.portals.push(await emu.control.addPortal({}));
    const cookies: string[] = [];
    for (let i = 0; i < portals; i++) cookies.push(i === 0 ? cookie : await signInSession(app, emu, i));
    const t = await load({
      concurrency: clients,
      maxMs: opts.quick ? 2_000 : 15_000,
      send: async (i) => {
        const r = await proxyCall(app, cookies[i % cookies.length]!, "user.current");
        return { ok: r.status === 200, detail: `${r.status} ${r.body.slice(0, 80)}` };
      },
    });
    const throughput = { portals, clients, seconds: t.seconds, ok: t.ok, failed: t.failed, perSec: t.ok / t.seconds };
    const rows: Cell[][] = [
      ["clients", "direct p50", "direct p99", "proxied p50", "proxied p99", "p50 overhead"],
      ...latency.map((l) => [l.clients, ms(l.direct.p50), ms(l.direct.p99), ms(l.proxied.p50), ms(l.proxied.p99), ms(l.proxied.p50 - l.direct.p50)]),
      [`throughput: ${portals} portals, ${clients} clients, limits off`, "-", "-", `${throughput.perSec.toFixed(0)} req/s`, `${t.failed} failed`, `${t.ok} in ${t.seconds.toFixed(1)} s`],
      [`floor: this route answering 401, no session (1 client; ${clients} clients)`, "-", "-", ms(floor.p50), ms(floor.p99), `${floor.perSec.toFixed(0)} req/s`],
      [`floor: bare Next.js app, same route shape (1 client; ${clients} clients)`, "-", "-", ms(bare.p50), ms(bare.p99), `${bare.perSec.toFixed(0)} req/s`],
    ];
    const one = latency[0]!;
    return { rows, figures: { latency, throughput, floor, bare }, p50Overhead1: one.proxied.p50 - one.direct.p50 };
  } finally {
    await cluster.stop();
  }
}
