// Driver-adapter factories for the wasm schema engine, with the workarounds for Prisma 7.10.0 adapter bugs
// (see prisma/README.md). Each one is needed by a specific engine code path; remove a
// workaround only after `npx vitest run scripts` and `npm run db:check` pass without it.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { parse as parsePgUrl } from "pg-connection-string";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { EngineError } from "./prisma-engine.mjs";
import { redactUrl, sqliteFilePath } from "./prisma-flavour.mjs";

// ---------------------------------------------------------------------------------------------- SQLite

/** Workaround 2: the shadow-database replay sends whole migration scripts through executeRaw, which
 * better-sqlite3 rejects ("contains more than one statement"). Run parameterless multi-statement SQL as a script. */
function allowMultiStatement(queryable) {
  const executeRaw = queryable.executeRaw.bind(queryable);
  queryable.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (e) {
      if (query.args.length === 0 && /more than one statement/.test(String(e?.message))) {
        queryable.client.exec(query.sql);
        return 0;
      }
      throw e;
    }
  };
  if (queryable.startTransaction) {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (...args) => allowMultiStatement(await startTransaction(...args));
  }
  return queryable;
}

export function sqliteFactory(url, { createIfMissing = false } = {}) {
  const file = sqliteFilePath(url);
  const inner = new PrismaBetterSqlite3({ url: `file:${file}` });
  const open = new Set();
  const track = (adapter) => {
    open.add(adapter);
    return allowMultiStatement(adapter);
  };
  return {
    describe: file,
    factory: {
      provider: inner.provider,
      adapterName: inner.adapterName,
      connect: async () => track(await inner.connect()),
      connectToShadowDb: async () => track(await inner.connectToShadowDb()),
    },
    preflight: async () => {
      if (createIfMissing) mkdirSync(path.dirname(file), { recursive: true });
      else if (!existsSync(file))
        throw new EngineError(`SQLite database ${file} does not exist (run npm run db:migrate). Check DATABASE_URL (${url}).`, "P1003");
    },
    // The engine never disposes its main connection; close it so SQLite removes its journal before process.exit.
    close: async () => {
      for (const a of open) if (a.client.open) a.client.close();
    },
  };
}

// ------------------------------------------------------------------------------------------ PostgreSQL

let charPatched = false;
/** Workaround 3: adapter-pg cannot map Postgres' internal `"char"` type (OID 18), which the engine's catalog
 * introspection selects ("Column type 'char' could not be deserialized"). Report it as text (OID 25). */
function patchPgCharType() {
  if (charPatched) return;
  charPatched = true;
  const addFields = pg.Result.prototype.addFields;
  pg.Result.prototype.addFields = function (fields) {
    for (const f of fields) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return addFields.call(this, fields);
  };
}

/** Connection settings as discrete fields. Workaround 4 depends on this: pg lets `connectionString` win over
 * `database`, so a config spread from a URL can never be pointed at another database. */
export function pgConfig(url) {
  const { schema: _schema, ...cfg } = parsePgUrl(url);
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  return { cfg: { ...cfg, port: cfg.port ? Number(cfg.port) : 5432, connectionTimeoutMillis: 10_000 }, schema };
}

/** Workaround 6: adapter-pg's executeScript splits the script on ";" and runs the pieces one by one, so a failing
 * migration stays half-applied (and a ";" inside a string or function body breaks it). The native engine sends the
 * whole script as one simple query, which PostgreSQL runs as a single implicit transaction: do the same. */
function wholeScript(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.client.query(script);
    } catch (e) {
      adapter.onError(e);
    }
  };
  return adapter;
}

function where(cfg) {
  return `${cfg.host ?? "localhost"}:${cfg.port ?? 5432}`;
}

export function pgFactory(url, { createIfMissing = false } = {}) {
  patchPgCharType();
  const { cfg, schema } = pgConfig(url);
  const options = schema ? { schema } : undefined;
  const inner = new PrismaPg(cfg, options);
  const openClients = new Set();

  async function client(database = cfg.database) {
    const c = new pg.Client({ ...cfg, database });
    c.on("error", () => {}); // a dropped idle connection must not crash the process; queries report errors
    await c.connect();
    openClients.add(c);
    return c;
  }
  async function end(c) {
    openClients.delete(c);
    await c.end().catch(() => {});
  }

  return {
    describe: `${where(cfg)}/${cfg.database}`,
    factory: {
      provider: inner.provider,
      adapterName: inner.adapterName,
      connect: async () => wholeScript(await inner.connect()),
      // Workaround 4: adapter-pg's own version replays migrations against the *main* database (see pgConfig) and
      // drops the shadow database while its pool is still connected, leaving prisma_migrate_shadow_db_* behind.
      connectToShadowDb: async () => {
        const admin = await client();
        const name = `prisma_migrate_shadow_db_${randomUUID()}`;
        await admin.query(`CREATE DATABASE "${name}"`);
        const shadow = wholeScript(await new PrismaPg({ ...cfg, database: name }, options).connect());
        const dispose = shadow.dispose.bind(shadow);
        shadow.dispose = async () => {
          await dispose().catch(() => {}); // ends the shadow pool first
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
          await end(admin);
        };
        return shadow;
      },
    },
    /** Fail early with a readable message instead of an engine error; create the database like `migrate deploy`. */
    preflight: async () => {
      try {
        await end(await client());
      } catch (e) {
        if (e.code === "3D000" && createIfMissing) {
          const admin = await client("postgres").catch(() => client("template1"));
          try {
            await admin.query(`CREATE DATABASE "${cfg.database.replaceAll('"', '""')}"`);
          } finally {
            await end(admin);
          }
          console.log(`Created PostgreSQL database "${cfg.database}" at ${where(cfg)}`);
          return;
        }
        throw pgConnectError(e, cfg, url);
      }
    },
    close: async () => {
      await Promise.all([...openClients].map(end));
    },
  };
}

function pgConnectError(e, cfg, url) {
  const at = `the PostgreSQL server at ${where(cfg)}`;
  const hint = `Check DATABASE_URL (${redactUrl(url)}).`;
  if (e.code === "3D000") return new EngineError(`Database "${cfg.database}" does not exist on ${at}. ${hint}`, "P1003");
  if (e.code === "28P01" || e.code === "28000")
    return new EngineError(`Authentication failed for user "${cfg.user}" on ${at}: ${e.message}. ${hint}`, "P1000");
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"].includes(e.code) || /timeout/i.test(e.message))
    return new EngineError(`Cannot reach ${at} (${e.code ?? e.message}). Is it running? ${hint}`, "P1001");
  return new EngineError(`Cannot connect to ${at}: ${e.message}. ${hint}`, e.code ?? "P1001");
}
