// Proves scripts/prisma-wasm-migrate.mjs against real databases on both engines: Prisma's own bookkeeping in
// _prisma_migrations, idempotent deploy, and the P3009 refusal after a failed migration. Needs the PostgreSQL
// server from PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, DEFAULT_PG_ADMIN_URL, dropDatabase } from "./pg-admin.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MIGRATE = path.join(ROOT, "scripts/prisma-wasm-migrate.mjs");
const ADMIN_URL = process.env.PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
const BROKEN = "29990101000000_broken";

type Row = {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
};

interface Engine {
  flavour: "sqlite" | "postgres";
  setup(tmp: string): Promise<string>; // returns DATABASE_URL
  teardown(): Promise<void>;
  query<T>(sql: string): Promise<T[]>;
}

function sqliteEngine(): Engine {
  let file = "";
  return {
    flavour: "sqlite",
    async setup(tmp) {
      file = path.join(tmp, "nested/dir/test.db"); // the migrator must create the parent directories
      return `file:${file}`;
    },
    async teardown() {},
    async query<T>(sql: string) {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
  };
}

function postgresEngine(): Engine {
  const name = `b24tpl_test_${process.pid}_${Date.now().toString(36)}`;
  let url = "";
  return {
    flavour: "postgres",
    async setup() {
      url = await createDatabase(ADMIN_URL, name);
      return url;
    },
    async teardown() {
      await dropDatabase(ADMIN_URL, name);
    },
    async query<T>(sql: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    },
  };
}

describe.each([sqliteEngine(), postgresEngine()])("prisma-wasm-migrate on $flavour", (engine) => {
  let tmp = "";
  let url = "";
  let migrationsDir = "";
  const migrate = (...args: string[]) => {
    const r = spawnSync(process.execPath, [MIGRATE, ...args], {
      env: { ...process.env, DATABASE_URL: url, PRISMA_MIGRATIONS_DIR: migrationsDir },
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const source = path.join(ROOT, "prisma", engine.flavour, "migrations");
  const names = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const rows = () => engine.query<Row>("SELECT * FROM _prisma_migrations ORDER BY migration_name");

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), `b24tpl-migrate-${engine.flavour}-`));
    migrationsDir = path.join(tmp, "migrations");
    cpSync(source, migrationsDir, { recursive: true });
    url = await engine.setup(tmp);
  }, 30_000);

  afterAll(async () => {
    await engine.teardown();
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it("deploy creates the tables and records every migration like Prisma does", async () => {
    expect(names.length).toBeGreaterThan(0);
    const r = migrate("deploy");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`Applied ${names.length} migration`);

    const tables =
      engine.flavour === "sqlite"
        ? await engine.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        : await engine.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["Portal", "User", "TokenPair", "_prisma_migrations"]));

    const applied = await rows();
    expect(applied.map((m) => m.migration_name)).toEqual(names);
    for (const m of applied) {
      const sql = readFileSync(path.join(migrationsDir, m.migration_name, "migration.sql"));
      expect(m.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(m.finished_at).toBeTruthy();
      expect(m.rolled_back_at).toBeNull();
    }
  }, 60_000);

  it("a second deploy is a no-op, and status and diff agree", async () => {
    const before = await rows();
    const r = migrate("deploy");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("No pending migrations");
    expect(await rows()).toEqual(before);
    expect(migrate("status").code).toBe(0);
    expect(migrate("diff").code).toBe(0);
  }, 60_000);

  it("a failed migration is recorded as failed and the next deploy refuses (P3009)", async () => {
    mkdirSync(path.join(migrationsDir, BROKEN));
    writeFileSync(
      path.join(migrationsDir, BROKEN, "migration.sql"),
      'CREATE TABLE "HalfDone" ("id" INTEGER NOT NULL);\nINSERT INTO "NoSuchTable" VALUES (1);\n',
    );
    const first = migrate("deploy");
    expect(first.code, first.out).toBe(1);
    expect(first.out).toMatch(/NoSuchTable/);

    const broken = (await rows()).find((m) => m.migration_name === BROKEN);
    expect(broken).toBeDefined();
    expect(broken?.finished_at).toBeNull();
    expect(broken?.rolled_back_at).toBeNull();
    expect(broken?.logs).toMatch(/NoSuchTable/);

    const second = migrate("deploy");
    expect(second.code, second.out).toBe(1);
    expect(second.out).toContain("P3009");
    expect(second.out).toContain(BROKEN);

    const status = migrate("status");
    expect(status.code).toBe(1);
    expect(status.out).toContain("Failed migrations");

    if (engine.flavour === "postgres") {
      // Like the native engine, the whole script runs as one implicit transaction: nothing half-applied.
      const half = await engine.query("SELECT 1 FROM pg_tables WHERE tablename = 'HalfDone'");
      expect(half).toHaveLength(0);
    }
  }, 60_000);
});
