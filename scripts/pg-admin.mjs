// Create and drop throwaway PostgreSQL databases (db-check, tests, e2e setup).
//   node scripts/pg-admin.mjs create <name>   prints the new database's URL on stdout
//   node scripts/pg-admin.mjs drop <name>     terminates its connections first; no error if it does not exist
// The server comes from PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres), a URL for a role
// that may CREATE DATABASE, pointing at any existing maintenance database.
import { pathToFileURL } from "node:url";
import pg from "pg";

export const DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const PROTECTED = new Set(["postgres", "template0", "template1"]);

/** adminUrl with its database replaced by `name` (credentials, host and query string kept). */
export function databaseUrl(adminUrl, name) {
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(checkName(name))}`;
  return u.toString();
}

function checkName(name) {
  // Identifiers are interpolated into DDL, so only plain names are accepted.
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use letters, digits and _ (max 63)`);
  }
  return name;
}

async function withAdmin(adminUrl, fn) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    const u = new URL(adminUrl);
    throw new Error(
      `Cannot connect to PostgreSQL at ${u.hostname}:${u.port || 5432} (${e.code ?? e.message}). Check PG_ADMIN_URL ` +
        `(default ${DEFAULT_PG_ADMIN_URL}).`,
      { cause: e },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createDatabase(adminUrl, name) {
  checkName(name);
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return databaseUrl(adminUrl, name);
}

export async function dropDatabase(adminUrl, name) {
  checkName(name);
  if (PROTECTED.has(name)) throw new Error(`refusing to drop ${name}`);
  await withAdmin(adminUrl, async (c) => {
    // DROP DATABASE fails while anyone (a leaked pool, a crashed test) is still connected.
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [cmd, name] = process.argv.slice(2);
  const adminUrl = process.env.PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
  try {
    if (cmd === "create" && name) console.log(await createDatabase(adminUrl, name));
    else if (cmd === "drop" && name) await dropDatabase(adminUrl, name);
    else {
      console.error("Usage: node scripts/pg-admin.mjs create|drop <name>   (server: PG_ADMIN_URL)");
      process.exit(1);
    }
  } catch (e) {
    console.error(`pg-admin: ${e.message}`);
    process.exit(1);
  }
}
