// Prisma migrations without the native schema-engine binary: drives @prisma/schema-engine-wasm (Prisma's own
// engine code) through the app's driver adapters. The engine writes `_prisma_migrations` itself, so a database
// migrated here is accepted by `prisma migrate deploy` on a machine that has the binary. See prisma/README.md.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { DEFAULT_DATABASE_URL, flavourOf, prismaPaths, redactUrl } from "./lib/prisma-flavour.mjs";
import { EngineError, startEngine } from "./lib/prisma-engine.mjs";
import { listMigrations, sanitizeMigrationName, writeMigration } from "./lib/prisma-migrations.mjs";

const USAGE = `Usage: node scripts/prisma-wasm-migrate.mjs <command>

  deploy                      apply pending migrations (prisma migrate deploy)
  status                      show pending / failed / modified migrations; exit 1 unless up to date
  new <name> [--create-only]  bring the database up to date, generate a migration from the schema, apply it
  diff [--script]             exit 2 if the schema has changes no migration covers, or the database differs
  reset --force               drop everything in the database, then apply all migrations
  resolve --rolled-back <migration> | --applied <migration>   clear a failed migration (prisma migrate resolve)

Environment: DATABASE_URL (default ${DEFAULT_DATABASE_URL}; file:… = SQLite, postgresql://… = PostgreSQL),
PRISMA_MIGRATIONS_DIR (use another migrations directory), PRISMA_WASM_DEBUG=1 (engine log on stderr).`;

class UsageError extends Error {}

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FILTERS = { externalTables: [], externalEnums: [] };
const rel = (p) => {
  const r = path.relative(process.cwd(), p);
  return r.startsWith("..") ? p : r || ".";
};

const [command, ...rest] = process.argv.slice(2);
const flags = new Set(rest.filter((a) => a.startsWith("--")));
const positional = rest.filter((a) => !a.startsWith("--"));

const commands = { deploy, status, new: newMigration, diff, reset, resolve };

let ctx;
let code = 1;
try {
  if (!commands[command]) {
    console.error(USAGE);
    code = command === "help" || command === "--help" ? 0 : 1;
  } else {
    ctx = await setup(command);
    code = await commands[command](ctx);
  }
} catch (e) {
  console.error(formatError(e));
  code = 1;
} finally {
  await ctx?.db.close().catch(() => {});
}
// Workaround 5: on PostgreSQL the engine leaves a 10 s timer running, so never wait for the event loop to drain.
process.exit(code);

async function setup(cmd) {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const flavour = flavourOf(url);
  const paths = prismaPaths(flavour);
  const schemaPath = path.join(ROOT, paths.schema);
  if (!existsSync(schemaPath)) throw new UsageError(`${rel(schemaPath)} is missing: run npm run db:sync (node scripts/prisma-schema-sync.mjs)`);
  const schema = readFileSync(schemaPath, "utf8");
  const migrationsDir = path.resolve(process.env.PRISMA_MIGRATIONS_DIR || path.join(ROOT, paths.migrations));
  // Loaded lazily so `help` and flavour errors need neither native driver.
  const adapters = await import("./lib/prisma-adapters.mjs");
  const createIfMissing = ["deploy", "new", "reset"].includes(cmd);
  const db = flavour === "sqlite" ? adapters.sqliteFactory(url, { createIfMissing }) : adapters.pgFactory(url, { createIfMissing });
  console.log(`Datasource: ${flavour === "sqlite" ? "SQLite" : "PostgreSQL"} ${flavour === "sqlite" ? rel(db.describe) : db.describe}`);
  if (cmd === "reset" && flavour === "sqlite" && flags.has("--force")) {
    // The engine's reset cannot delete the file through an adapter and leaves the tables; do what native Prisma does.
    for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(db.describe + suffix, { force: true });
  }
  await db.preflight();
  const engine = await startEngine({ schemaPath, schema, factory: db.factory });
  const files = [{ path: schemaPath, content: schema }];
  return { url, flavour, schemaPath, files, migrationsDir, db, engine };
}

function announce(list, dir) {
  const n = list.migrationDirectories.length;
  console.log(`${n} migration${n === 1 ? "" : "s"} found in ${rel(dir)}`);
}

function printApplied(names, dir) {
  if (names.length === 0) return console.log("No pending migrations to apply.");
  console.log(`Applied ${names.length} migration${names.length === 1 ? "" : "s"}:`);
  for (const n of names) console.log(`  ${rel(path.join(dir, n))}/migration.sql`);
}

async function deploy({ engine, migrationsDir }) {
  const list = listMigrations(migrationsDir);
  announce(list, migrationsDir);
  let appliedMigrationNames;
  try {
    // Also creates _prisma_migrations, and refuses (P3009) while a failed migration is recorded.
    ({ appliedMigrationNames } = await engine.applyMigrations({ migrationsList: list, filters: FILTERS }));
  } catch (e) {
    const how =
      "Fix the database by hand (or the migration, if it never ran anywhere else), then run\n" +
      "  node scripts/prisma-wasm-migrate.mjs resolve --rolled-back <migration>   (same DATABASE_URL)\n" +
      "On a development database `reset --force` also clears it.";
    if (e.code === "P3009") e.message += `\n${how}`;
    else e.message = `A migration failed: ${e.message}\nIt is now recorded as failed in _prisma_migrations and deploy will refuse to continue (P3009).\n${how}`;
    throw e;
  }
  printApplied(appliedMigrationNames, migrationsDir);
  return 0;
}

async function status({ engine, migrationsDir }) {
  const list = listMigrations(migrationsDir);
  announce(list, migrationsDir);
  let d;
  try {
    d = await engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: false, filters: FILTERS });
  } catch (e) {
    // Workaround 1: on SQLite the engine fails with P1014 instead of reporting a missing table.
    if (e.code !== "P1014") throw e;
    d = { hasMigrationsTable: false, failedMigrationNames: [], editedMigrationNames: [], history: null };
  }
  const all = list.migrationDirectories.map((m) => m.path);
  if (!d.hasMigrationsTable && all.length) d.history = { diagnostic: "databaseIsBehind", unappliedMigrationNames: all };
  let ok = true;
  const show = (title, names) => {
    ok = false;
    console.log(`${title}:\n${names.map((n) => `  ${n}`).join("\n")}`);
  };
  if (d.failedMigrationNames.length) {
    show("Failed migrations (deploy refuses to continue until they are resolved)", d.failedMigrationNames);
    console.log(`  Fix the database by hand, then: node scripts/prisma-wasm-migrate.mjs resolve --rolled-back <migration>`);
  }
  if (d.editedMigrationNames.length) show("Migrations modified after they were applied", d.editedMigrationNames);
  const h = d.history;
  if (h?.diagnostic === "databaseIsBehind") show("Not yet applied (run npm run db:migrate)", h.unappliedMigrationNames);
  if (h?.diagnostic === "migrationsDirectoryIsBehind") show("Applied to the database but missing locally", h.unpersistedMigrationNames);
  if (h?.diagnostic === "historiesDiverge") {
    console.log(`The migration history diverged after ${h.lastCommonMigrationName ?? "the start"}.`);
    if (h.unappliedMigrationNames.length) show("Only in the migrations directory", h.unappliedMigrationNames);
    if (h.unpersistedMigrationNames.length) show("Only in the database", h.unpersistedMigrationNames);
  }
  if (ok) console.log("Database schema is up to date!");
  return ok ? 0 : 1;
}

async function newMigration({ engine, migrationsDir, files, schemaPath, flavour }) {
  const name = sanitizeMigrationName(positional[0]);
  if (!name) throw new UsageError("new: give the migration a name, e.g. `npm run db:new -- add_portal_locale`");
  let list = listMigrations(migrationsDir);
  // Workaround 1: devDiagnostic needs _prisma_migrations; applying first also brings the database up to date.
  const pending = (await engine.applyMigrations({ migrationsList: list, filters: FILTERS })).appliedMigrationNames;
  if (pending.length) printApplied(pending, migrationsDir);
  // Must run before createMigration: it fills the engine cache that createMigration's shadow replay relies on.
  const { action } = await engine.devDiagnostic({ migrationsList: list, filters: FILTERS });
  if (action.tag === "reset") {
    throw new EngineError(
      `The database does not match the migration history, so no migration can be derived from it:\n${action.reason}\n` +
        `Point DATABASE_URL at an empty database, or run \`reset --force\` (drops all data).`,
      "DRIFT",
    );
  }
  const schema = { files };
  const loss = await engine.evaluateDataLoss({ migrationsList: list, schema, filters: FILTERS });
  for (const w of loss.warnings) console.log(`Warning: ${w.message}`);
  for (const u of loss.unexecutableSteps) console.log(`Cannot be applied to the current data: ${u.message}`);
  const out = await engine.createMigration({ migrationsList: list, schema, draft: false, migrationName: name, filters: FILTERS });
  if (!out.migrationScript) {
    console.log(`${rel(schemaPath)} and the migrations are already in sync: no migration created.`);
    return 0;
  }
  const dir = writeMigration(migrationsDir, out);
  console.log(`Created ${rel(dir)}/migration.sql (${flavour})`);
  if (flags.has("--create-only") || loss.unexecutableSteps.length) {
    console.log("Not applied: edit it if needed, then run npm run db:migrate.");
    return 0;
  }
  list = listMigrations(migrationsDir);
  printApplied((await engine.applyMigrations({ migrationsList: list, filters: FILTERS })).appliedMigrationNames, migrationsDir);
  return 0;
}

async function diff({ engine, migrationsDir, files, schemaPath, db, flavour }) {
  const list = listMigrations(migrationsDir);
  const script = flags.has("--script");
  const to = { tag: "schemaDatamodel", files };
  const from = list.migrationDirectories.length ? { tag: "migrations", ...list } : { tag: "empty" };
  const a = await engine.diff({ from, to, script, exitCode: true, filters: FILTERS });
  if (a.exitCode === 2) {
    console.log(`${rel(schemaPath)} has changes that no migration in ${rel(migrationsDir)} covers:`);
    console.log(a.stdout?.trimEnd());
    console.log(`Create one: DATABASE_URL=<${flavour} url> npm run db:new -- <name> (once per engine, see prisma/README.md)`);
  } else {
    console.log(`Migrations in ${rel(migrationsDir)} match ${rel(schemaPath)}.`);
  }
  const live = { tag: "schemaDatasource", files, configDir: ROOT };
  const b = await engine.diff({ from: live, to, script, exitCode: true, filters: FILTERS });
  if (b.exitCode === 2) {
    console.log(`The database (${flavour === "sqlite" ? rel(db.describe) : db.describe}) differs from ${rel(schemaPath)}:`);
    console.log(b.stdout?.trimEnd());
    console.log("Run npm run db:status: pending migrations are applied by npm run db:migrate.");
  } else {
    console.log("The database matches the schema.");
  }
  return a.exitCode === 2 || b.exitCode === 2 ? 2 : 0;
}

async function reset({ engine, migrationsDir, url, flavour }) {
  if (!flags.has("--force")) throw new UsageError(`reset drops ALL data in ${redactUrl(url)}; re-run with --force`);
  if (flavour === "postgres") await engine.reset({ filter: FILTERS }); // SQLite: the file was deleted in setup()
  console.log("Database reset.");
  return deploy({ engine, migrationsDir });
}

async function resolve({ engine, migrationsDir }) {
  const name = positional[0];
  if (flags.has("--rolled-back") && name) {
    await engine.markMigrationRolledBack({ migrationName: name });
    console.log(`Migration ${name} marked as rolled back; deploy will apply it again.`);
  } else if (flags.has("--applied") && name) {
    await engine.markMigrationApplied({ migrationName: name, migrationsList: listMigrations(migrationsDir) });
    console.log(`Migration ${name} marked as applied.`);
  } else {
    throw new UsageError("resolve: use --rolled-back <migration> or --applied <migration>");
  }
  return 0;
}

function formatError(e) {
  if (e instanceof UsageError) return `Error: ${e.message}`;
  // Strip the engine's Rust span trace ("   0: schema_engine_wasm::…"): it says where, not why.
  const msg = String(e?.message ?? e).split(/\n\s+0: /)[0].trimEnd();
  const code = e?.code && !["UNKNOWN", "DRIVER"].includes(e.code) ? `${e.code}: ` : "";
  return `Error: ${code}${msg}`;
}
