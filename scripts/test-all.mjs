// `npm test`: every suite, in the order CI runs them, with one closing line `N passed, N failed` summing them all.
// Suites: lint, typecheck, unit+integration (vitest, incl. the emulator's own tests and the migration tests),
// migration checks on both engines (db-check), e2e in Chromium on SQLite, then on PostgreSQL, then against the
// standalone server copied out of the repository, then bench --quick.
// Needs PostgreSQL at PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres); .ci/run starts one if absent.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const only = process.argv.slice(2);
const results = [];
mkdirSync(`${root}test-results`, { recursive: true });

function run(cmd, args, env = baseEnv) {
  console.log(`\n$ ${[cmd, ...args].join(" ")}`);
  const started = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  return { ok: r.status === 0, seconds: (performance.now() - started) / 1000 };
}

function suite(name, fn) {
  if (only.length && !only.includes(name)) return;
  const started = performance.now();
  let r;
  try {
    r = fn();
  } catch (err) {
    console.error(`${name}: ${err.message}`);
    r = { passed: 0, failed: 1 };
  }
  results.push({ name, ...r, seconds: (performance.now() - started) / 1000 });
}

const single = (ok) => ({ passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
// CI keeps only the end of the output, so each failure is repeated, short, just above the closing total.
const failures = [];
const excerpt = (text, lines = 25) => String(text ?? "").replace(/\u001b\[[0-9;]*m/g, "").split("\n").slice(0, lines).join("\n");
const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);

suite("lint", () => single(run(process.execPath, ["node_modules/eslint/bin/eslint.js", "."]).ok));
suite("typecheck", () => single(run(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit"]).ok));

suite("unit", () => {
  // Integration tests use temporary SQLite databases, so they need the SQLite flavour of the generated client.
  if (!run(process.execPath, ["scripts/prisma-generate.mjs"], { ...baseEnv, DATABASE_URL: "" }).ok) return single(false);
  const out = `${root}test-results/vitest.json`;
  rmSync(out, { force: true });
  const r = run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`]);
  const json = readJson(out);
  if (!json) return single(false);
  for (const file of json.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === "failed") failures.push({ suite: "unit", title: t.fullName, detail: excerpt(t.failureMessages?.join("\n")) });
    }
  }
  const failed = json.numFailedTests + (r.ok || json.numFailedTests ? 0 : 1);
  return { passed: json.numPassedTests, failed };
});

suite("db-check", () => {
  console.log("\n$ node scripts/db-check.mjs");
  const r = spawnSync(process.execPath, ["scripts/db-check.mjs"], { cwd: root, env: baseEnv, encoding: "utf8" });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  const m = /db-check: (\d+) passed, (\d+) failed/.exec(r.stdout ?? "");
  if (!m) return single(false);
  return { passed: Number(m[1]), failed: Number(m[2]) + (r.status === 0 || Number(m[2]) ? 0 : 1) };
});

function collectPlaywrightFailures(suiteName, suites, path) {
  for (const s of suites) {
    const here = s.title && !s.title.endsWith(".ts") ? [...path, s.title] : path;
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const bad = (t.results ?? []).filter((r) => r.status !== "passed" && r.status !== "skipped");
        for (const r of bad) {
          const output = (r.stdout ?? []).map((o) => o.text ?? "").join("");
          const detail = [excerpt(r.error?.message ?? r.status), output && `output:\n${excerpt(output, 60)}`].filter(Boolean).join("\n");
          failures.push({ suite: suiteName, title: `${spec.file}:${spec.line} › ${[...here, spec.title].join(" › ")}`, detail });
        }
      }
    }
    collectPlaywrightFailures(suiteName, s.suites ?? [], here);
  }
}

for (const flavour of ["sqlite", "postgres"]) {
  suite(`e2e-${flavour}`, () => {
    // Only the URL's scheme matters at build time (it picks the generated client); nothing connects.
    const databaseUrl = flavour === "postgres" ? "postgresql://build@127.0.0.1:5432/build" : "file:./data/build.db";
    // The PostgreSQL build also writes .next/standalone for the e2e-standalone suite below.
    const standalone = flavour === "postgres" ? { BUILD_STANDALONE: "1" } : {};
    if (!run(process.execPath, ["scripts/build.mjs"], { ...baseEnv, DATABASE_URL: databaseUrl, ...standalone }).ok) return single(false);
    const out = `${root}test-results/e2e-${flavour}.json`;
    rmSync(out, { force: true });
    const r = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test"], { ...baseEnv, E2E_DB: flavour, PLAYWRIGHT_JSON_OUTPUT_FILE: out });
    const json = readJson(out);
    if (!json) return single(false);
    collectPlaywrightFailures(`e2e-${flavour}`, json.suites ?? [], []);
    const { expected = 0, unexpected = 0, flaky = 0 } = json.stats ?? {};
    return { passed: expected + flaky, failed: unexpected + (r.ok || unexpected ? 0 : 1) };
  });
}

// The deployable server alone: the PostgreSQL build's .next/standalone copied out of the repository (as the
// Dockerfile does), started with `node server.js` under a guard that stops it if any module resolves inside the
// repository, then the sign-in and in-portal specs against it.
suite("e2e-standalone", () => {
  const dir = mkdtempSync(`${tmpdir()}/b24-standalone-`);
  try {
    if (!run(process.execPath, ["scripts/standalone.mjs", dir]).ok) return single(false);
    const out = `${root}test-results/e2e-standalone.json`;
    rmSync(out, { force: true });
    const specs = ["e2e/specs/sign-in.spec.ts", "e2e/specs/frame.spec.ts"];
    const r = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...specs], {
      ...baseEnv, E2E_DB: "postgres", E2E_STANDALONE_DIR: dir, PLAYWRIGHT_JSON_OUTPUT_FILE: out,
    });
    const json = readJson(out);
    if (!json) return single(false);
    collectPlaywrightFailures("e2e-standalone", json.suites ?? [], []);
    const { expected = 0, unexpected = 0, flaky = 0 } = json.stats ?? {};
    return { passed: expected + flaky, failed: unexpected + (r.ok || unexpected ? 0 : 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The benchmarks' quick mode keeps them working (`npm run bench` is the full run, not part of npm test). It runs after
// the PostgreSQL e2e build so every benchmark has a build to use; it fails only when a benchmark breaks.
suite("bench-quick", () => single(run("npm", ["run", "bench", "--", "--quick"]).ok));

// Leave the default (SQLite) Prisma client in place so `npm run dev` works after the suite.
spawnSync(process.execPath, ["scripts/prisma-generate.mjs"], { cwd: root, env: { ...baseEnv, DATABASE_URL: "" }, stdio: "ignore" });

if (failures.length) {
  console.log(`\nFailures (${failures.length}):`);
  for (const f of failures) console.log(`\n[${f.suite}] ${f.title}\n${f.detail.replace(/^/gm, "    ")}`);
}
console.log("\nSuite            passed  failed   time");
for (const r of results) console.log(`${r.name.padEnd(16)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${r.seconds.toFixed(1).padStart(5)}s`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
