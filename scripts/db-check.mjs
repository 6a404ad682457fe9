// CI check for the database layer, on both engines:
//   1. prisma/postgres/schema.prisma is exactly what db:sync generates from prisma/sqlite/schema.prisma;
//   2. on a fresh temporary SQLite file and 3. on a fresh temporary PostgreSQL database (server: PG_ADMIN_URL):
//      deploy applies every migration, `diff` finds no drift, `status` is up to date, a second deploy is a no-op.
// Prints one `ok …` / `FAIL …` line per check and `db-check: N passed, N failed`; exits 1 on any failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, DEFAULT_PG_ADMIN_URL, dropDatabase } from "./pg-admin.mjs";
import { POSTGRES_SCHEMA, ROOT, SOURCE_SCHEMA, renderPostgresSchema } from "./lib/prisma-schema.mjs";

const MIGRATE = fileURLToPath(new URL("./prisma-wasm-migrate.mjs", import.meta.url));
let passed = 0;
let failed = 0;

function record(ok, label, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "FAIL"} ${label}`);
  if (!ok && detail) console.log(detail.trimEnd().replace(/^/gm, "    "));
}

function migrate(url, ...args) {
  const env = { ...process.env, DATABASE_URL: url };
  delete env.PRISMA_MIGRATIONS_DIR;
  const r = spawnSync(process.execPath, [MIGRATE, ...args], { env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

function migrationCount(flavour) {
  const dir = path.join(ROOT, "prisma", flavour, "migrations");
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).length : 0;
}

function engineChecks(flavour, url) {
  const n = migrationCount(flavour);
  let r = migrate(url, "deploy");
  const applied = Number(/Applied (\d+) migration/.exec(r.out)?.[1] ?? 0);
  record(r.code === 0 && n > 0 && applied === n, `${flavour}: deploy on an empty database applies all ${n} migration(s)`, r.out);
  r = migrate(url, "diff");
  record(r.code === 0, `${flavour}: diff finds no drift (schema vs migrations vs database)`, r.out);
  r = migrate(url, "status");
  record(r.code === 0 && r.out.includes("up to date"), `${flavour}: status reports up to date`, r.out);
  r = migrate(url, "deploy");
  record(r.code === 0 && r.out.includes("No pending migrations"), `${flavour}: second deploy applies nothing`, r.out);
}

// 1. schema copies
try {
  const expected = renderPostgresSchema(readFileSync(path.join(ROOT, SOURCE_SCHEMA), "utf8"));
  const target = path.join(ROOT, POSTGRES_SCHEMA);
  const actual = existsSync(target) ? readFileSync(target, "utf8") : null;
  record(actual === expected, `${POSTGRES_SCHEMA} is in sync with ${SOURCE_SCHEMA}`, "run `npm run db:sync` (node scripts/prisma-schema-sync.mjs)");
} catch (e) {
  record(false, `${POSTGRES_SCHEMA} is in sync with ${SOURCE_SCHEMA}`, e.message);
}

// 2. SQLite
const tmp = mkdtempSync(path.join(os.tmpdir(), "b24tpl-db-check-"));
try {
  engineChecks("sqlite", `file:${path.join(tmp, "check.db")}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// 3. PostgreSQL
const adminUrl = process.env.PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
const dbName = `b24tpl_check_${process.pid}_${Date.now().toString(36)}`;
let url = null;
try {
  url = await createDatabase(adminUrl, dbName);
} catch (e) {
  record(false, `postgres: create a temporary database via PG_ADMIN_URL`, e.message);
}
if (url) {
  try {
    engineChecks("postgres", url);
  } finally {
    await dropDatabase(adminUrl, dbName).catch((e) => record(false, `postgres: drop temporary database ${dbName}`, e.message));
  }
}

console.log(`db-check: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
