import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { appBenches } from "./apps";
import { bucketMinimum, listAllBench, type ListRun } from "./list-all";
import { operatingBench } from "./operating";
import { markdownTable, secs, type Cell } from "./table";

/**
 * `npm run bench [-- --quick] [-- --only list-all,operating]`: every benchmark against the project's emulator, one
 * table on stdout, the figures in bench/results/latest.json. Exits non-zero only when a benchmark breaks (throws),
 * never because a target was missed: targets are reported as met or not. (The sustained section throws on a token
 * race, a correctness bug rather than a figure; `--sustained-minutes=10` lengthens its full run from 5 minutes.)
 */
const args = process.argv.slice(2);
const quick = args.includes("--quick");
// The SDK helpers need ~75 s each at 10,000 deals; --skip-sdk re-measures only our side.
const skipSdk = args.includes("--skip-sdk");
const onlyArg = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const only = onlyArg ? onlyArg.split(",") : null;
const wanted = (name: string) => !only || only.includes(name);

interface Section {
  name: string;
  rows: Cell[][];
  targets: Array<{ target: string; met: boolean; figure: string }>;
  data: unknown;
}

const sections: Section[] = [];
const broken: string[] = [];

async function section(name: string, fn: () => Promise<Omit<Section, "name">>): Promise<void> {
  if (!wanted(name)) return;
  const started = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    sections.push({ name, ...(await fn()) });
  } catch (e) {
    broken.push(name);
    process.stderr.write(`bench: ${name} broke: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const listRow = (r: ListRun): Cell[] => [
  `${r.contender}${r.note ? ` (${r.note})` : ""}`,
  r.deals,
  secs(r.seconds),
  r.requests,
  r.queryLimitExceeded,
  r.exactlyOnce ? "yes" : "no",
  secs(r.serverSeconds),
];

await section("list-all", async () => {
  const runs = await listAllBench({ quick, sdk: !skipSdk, onRun: (r) => process.stderr.write(`  ${JSON.stringify(r)}\n`) });
  const [small, ...rest] = runs;
  const big = runs.at(-1)!;
  const sdk = rest.slice(0, -1);
  const rows: Cell[][] = [["contender", "deals", "wall time", "HTTP requests", "QUERY_LIMIT_EXCEEDED", "every row once", "emulator answer time"], ...runs.map(listRow)];
  for (const n of [small!.deals, big.deals]) {
    const min = bucketMinimum(n);
    const page = bucketMinimum(n, 50);
    rows.push([`bucket minimum, 2,500 rows/request (one page/request: ${page.requests} req, ${secs(page.seconds)})`, n, secs(min.seconds), min.requests, 0, "-", "-"]);
  }
  const fastestSdk = sdk.length ? Math.min(...sdk.map((r) => r.seconds)) : NaN;
  const speedup = fastestSdk / small!.seconds;
  const bigMin = bucketMinimum(big.deals);
  const all = runs.filter((r) => r.contender.startsWith("ours"));
  return {
    rows,
    targets: [
      ...(sdk.length ? [{ target: `list-all ${small!.deals.toLocaleString("en-US")}: at least 50x faster than every SDK list helper`, met: speedup >= 50, figure: `${speedup.toFixed(0)}x (fastest helper ${secs(fastestSdk)} vs ${secs(small!.seconds)})` }] : []),
      { target: `list-all ${small!.deals.toLocaleString("en-US")}: at most 5 HTTP requests`, met: small!.requests <= 5, figure: `${small!.requests} requests` },
      {
        target: `list-all ${big.deals.toLocaleString("en-US")}: within 1.2x the bucket minimum`,
        // Under the bucket, 41 requests fit in the burst, so the minimum wait is 0 s and the fastest possible run is
        // the emulator's own answer time for those requests (its in-memory scan); wall time is held against that.
        met: big.requests <= 1.2 * bigMin.requests && big.seconds <= 1.2 * (bigMin.seconds + big.serverSeconds),
        figure: `${big.requests} requests (minimum ${bigMin.requests}); ${secs(big.seconds)} vs minimum ${secs(bigMin.seconds + big.serverSeconds)} (bucket wait ${secs(bigMin.seconds)} + emulator answer time ${secs(big.serverSeconds)}) = ${(big.seconds / (bigMin.seconds + big.serverSeconds)).toFixed(2)}x`,
      },
      { target: "list-all: zero QUERY_LIMIT_EXCEEDED (ours)", met: all.every((r) => r.queryLimitExceeded === 0), figure: all.map((r) => r.queryLimitExceeded).join(", ") },
      { target: "list-all: every row exactly once (ours)", met: all.every((r) => r.exactlyOnce), figure: all.map((r) => (r.exactlyOnce ? "yes" : "no")).join(", ") },
    ],
    data: runs,
  };
});

await section("operating", async () => {
  const runs = await operatingBench({ quick, onRun: (r) => process.stderr.write(`  ${JSON.stringify(r)}\n`) });
  return {
    rows: [["contender (100 ms + 0.02 ms per skipped row)", "deals", "wall time", "HTTP requests", "QUERY_LIMIT_EXCEEDED", "every row once", "emulator answer time"], ...runs.map(listRow)],
    targets: [],
    data: runs,
  };
});

await appBenches({ quick, section });

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  ramGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  command: `npm run bench${quick ? " -- --quick" : ""}`,
  date: new Date().toISOString(),
};

const out: string[] = [];
for (const s of sections) out.push(`### ${s.name}\n\n${markdownTable(s.rows)}\n`);
const targets = sections.flatMap((s) => s.targets);
if (targets.length) out.push(`### targets\n\n${markdownTable([["target", "figure", "met"], ...targets.map((t) => [t.target, t.figure, t.met ? "met" : "NOT met"])])}\n`);
out.push(`Machine: ${machine.nproc} cores, ${machine.cpu}, ${machine.ramGb} GB RAM, Node ${machine.node}. Command: \`${machine.command}\`.`);
console.log(out.join("\n"));

const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, JSON.stringify({ machine, quick, broken, sections }, null, 2));
if (broken.length) {
  console.error(`bench: broken: ${broken.join(", ")}`);
  process.exit(1);
}
process.exit(0);
