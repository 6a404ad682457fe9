import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventsBench } from "./events";
import { pageWeightBench } from "./page-weight";
import { proxyBench } from "./proxy-overhead";
import { stormBench } from "./storm";
import { SUSTAINED_FULL, SUSTAINED_QUICK, sustainedBench, sustainedTargets } from "./sustained";
import { haproxyPath } from "./balancer";
import { SCALE_FULL, SCALE_QUICK, scaleBench, scaleTargets } from "./scale";
import { kb, ms, type Cell } from "./table";

/**
 * The benchmarks that need the app's production build. The full run builds what is missing (SQLite for the proxy,
 * PostgreSQL for the storm, as `npm test` does); the quick run never builds and uses whichever build exists, skipping
 * what it cannot run (reported in the table).
 */
const root = fileURLToPath(new URL("..", import.meta.url));
type Flavour = "sqlite" | "postgres";

export interface SectionResult {
  rows: Cell[][];
  targets: Array<{ target: string; met: boolean; figure: string }>;
  data: unknown;
}
type SectionFn = (name: string, fn: () => Promise<SectionResult>) => Promise<void>;

function builtFlavour(): Flavour | null {
  if (!existsSync(`${root}.next/BUILD_ID`)) return null;
  const marker = `${root}.next/b24-db-flavour`;
  return existsSync(marker) && readFileSync(marker, "utf8").trim() === "postgres" ? "postgres" : "sqlite";
}

function ensureBuild(flavour: Flavour, quick: boolean): boolean {
  if (builtFlavour() === flavour || (quick && flavour === "sqlite" && builtFlavour() !== null)) return true;
  if (quick) return false;
  // Only the URL's scheme matters at build time (it picks the generated Prisma client); nothing connects.
  const DATABASE_URL = flavour === "postgres" ? "postgresql://build@127.0.0.1:5432/build" : "";
  process.stderr.write(`bench: building the app (${flavour})…\n`);
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, env: { ...process.env, DATABASE_URL }, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`npm run build (${flavour}) failed`);
  return true;
}

/** 160.0 kB: the dashboard's budget before localisation (146.4 kB then, README "page-weight"), in bytes. */
const FIXED_DASHBOARD_BUDGET = 160.0 * 1024;

const skipped = (why: string): SectionResult => ({ rows: [["skipped"], [why]], targets: [], data: { skipped: why } });

export async function appBenches(opts: { quick: boolean; section: SectionFn }): Promise<void> {
  const { quick, section } = opts;

  await section("page-weight", async () => {
    if (!ensureBuild(builtFlavour() ?? "sqlite", quick)) return skipped("no production build (run `npm run build`)");
    const r = await pageWeightBench();
    if (!r) return skipped("no production build");
    const dashboard = r.routes.find((x) => x.route === "/dashboard")!;
    const tab = r.routes.find((x) => x.route === "/placements/deal-tab")!;
    return {
      rows: r.rows,
      targets: [
        {
          target: "dashboard first-load JS within 10% of the bare page plus the code it needs",
          met: dashboard.bytes <= r.dashboardBudget,
          figure: `${kb(dashboard.bytes)} vs budget ${kb(r.dashboardBudget)} (bare ${kb(r.bare.bytes)} + own ${kb(dashboard.ownBytes)}, +10%)`,
        },
        {
          // The relative budget above grows with the page's own code; this one is fixed at what it was before the
          // app spoke three languages and wore Bitrix24's look, so neither may make the dashboard heavier than that.
          target: `dashboard first-load JS within the budget set before localisation (${kb(FIXED_DASHBOARD_BUDGET)})`,
          met: dashboard.bytes <= FIXED_DASHBOARD_BUDGET,
          figure: `${kb(dashboard.bytes)} vs ${kb(FIXED_DASHBOARD_BUDGET)}`,
        },
        {
          target: "a framed placement page (the deal tab) no heavier than the dashboard's budget",
          met: tab.bytes <= r.dashboardBudget,
          figure: `${kb(tab.bytes)} vs ${kb(r.dashboardBudget)}; its frame client ${kb(r.frameClient.ours)} (the official SDK's would add ${kb(r.frameClient.sdk)})`,
        },
      ],
      data: r,
    };
  });

  await section("proxy", async () => {
    // Either engine serves the proxy; the quick run uses whatever was built last.
    if (!ensureBuild("sqlite", quick)) return skipped("no production build (run `npm run build`)");
    const r = await proxyBench({ quick, flavour: builtFlavour() ?? "sqlite" });
    const f = r.figures;
    const t = f.throughput;
    return {
      rows: r.rows,
      targets: [
        {
          target: "proxy: p50 overhead at most 3 ms over the direct call at 1 client",
          met: r.p50Overhead1 <= 3,
          figure: `${ms(r.p50Overhead1)} (the route answering 401 without any work: ${ms(f.floor.p50 - f.latency[0]!.direct.p50)})`,
        },
        {
          target: "proxy: at least 500 proxied requests/s on 2 cores",
          met: t.perSec >= 500 && t.failed === 0,
          figure: `${t.perSec.toFixed(0)} req/s, ${t.failed} failed (the route answering 401 without any work: ${f.floor.perSec.toFixed(0)} req/s)`,
        },
      ],
      data: r.figures,
    };
  });

  await section("events", async () => {
    const flavours: Flavour[] = quick ? [builtFlavour() ?? "sqlite"] : ["sqlite", "postgres"];
    const results = [];
    for (const flavour of flavours) {
      if (!ensureBuild(flavour, quick)) return skipped("no production build (run `npm run build`)");
      results.push(await eventsBench({ quick, flavour }));
    }
    const rows = results.flatMap((r, i) => (i === 0 ? r.rows : r.rows.slice(1)).map((row) => (i === 0 || row.length < 3 ? row : [`${row[0]} (${r.figures.flavour})`, row[1]!, row[2]!])));
    return {
      rows,
      targets: results.map((r) => ({
        target: `events (${r.figures.flavour}): p99 answer time at most 50 ms with ${r.figures.deliveries} deliveries at once, all answered 200`,
        met: r.figures.ack.p99 <= 50 && r.figures.ack.failed === 0,
        figure: `p50 ${ms(r.figures.ack.p50)}, p99 ${ms(r.figures.ack.p99)}, ${r.figures.ack.failed} failed (a bare Next.js route, same burst: p50 ${ms(r.figures.floor.p50)}, p99 ${ms(r.figures.floor.p99)})`,
      })),
      data: results.map((r) => r.figures),
    };
  });

  await section("refresh-storm", async () => {
    if (!ensureBuild("postgres", quick)) return skipped("needs a PostgreSQL build (DATABASE_URL=postgresql://… npm run build)");
    const r = await stormBench({ quick });
    const f = r.figures;
    return {
      rows: r.rows,
      targets: [
        { target: "refresh storm: exactly 1 token grant per expired pair", met: f.grants === f.expiredPairs, figure: `${f.grants} grants for ${f.expiredPairs} expired pair(s)` },
        { target: "refresh storm: 0 failed calls", met: f.failed === 0, figure: `${f.failed} failed, p99 ${ms(f.p99Ms)}` },
      ],
      data: f,
    };
  });

  await section("sustained", async () => {
    // Either engine: the quick run (npm test's bench-quick) uses whatever was built last (PostgreSQL there, after the
    // e2e builds), the full run builds SQLite only when nothing is built.
    if (!ensureBuild(builtFlavour() ?? "sqlite", quick)) return skipped("no production build (run `npm run build`)");
    const minutes = Number(process.argv.find((a) => a.startsWith("--sustained-minutes="))?.split("=")[1]);
    const instances = Number(process.argv.find((a) => a.startsWith("--sustained-instances="))?.split("=")[1]);
    const opts = {
      ...(quick ? SUSTAINED_QUICK : { ...SUSTAINED_FULL, ...(minutes > 0 ? { seconds: Math.round(minutes * 60) } : {}) }),
      ...(instances > 0 ? { instances } : {}),
    };
    const r = await sustainedBench({ ...opts, flavour: builtFlavour() ?? "sqlite" }, (line) => process.stderr.write(`  ${line}\n`));
    const targets = sustainedTargets(r.figures);
    // A token race is a bug, not a missed performance figure: it breaks the run (and npm test's bench-quick).
    const races = targets.filter((t) => t.correctness && !t.met);
    if (races.length) throw new Error(`sustained: ${races.map((t) => `${t.target}: ${t.figure}`).join("; ")}`);
    return { rows: r.rows, targets: targets.map(({ target, met, figure }) => ({ target, met, figure })), data: r.figures };
  });

  await section("scale", async () => {
    if (!haproxyPath()) return skipped("needs HAProxy (apt-get install haproxy); .ci/run installs it");
    if (!ensureBuild("postgres", quick)) return skipped("needs a PostgreSQL build (DATABASE_URL=postgresql://… npm run build)");
    const r = await scaleBench(quick ? SCALE_QUICK : SCALE_FULL);
    const targets = scaleTargets(r.figures);
    // Losing an event or a token pair, or tripping Bitrix24's limit, is a bug: it breaks the run (and npm test).
    const broken = targets.filter((t) => t.correctness && !t.met);
    if (broken.length) throw new Error(`scale: ${broken.map((t) => `${t.target}: ${t.figure}`).join("; ")}`);
    return { rows: r.rows, targets: targets.map(({ target, met, figure }) => ({ target, met, figure })), data: r.figures };
  });
}
