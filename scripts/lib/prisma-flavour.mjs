// Single place that maps DATABASE_URL to a Prisma "flavour". Imported by prisma.config.ts (via jiti) and by
// the migration scripts, so `prisma generate` and the wasm migrator can never disagree on which schema is used.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Next.js reads .env by itself; the Prisma CLI and our scripts do not. Variables already set in the
// environment win over the file, as they do for Next.js.
const dotEnv = fileURLToPath(new URL("../../.env", import.meta.url));
if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);

export const DEFAULT_DATABASE_URL = "file:./data/dev.db";

/** @param {string | undefined} url */
export function flavourOf(url = DEFAULT_DATABASE_URL) {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (/^file:/i.test(url)) return "sqlite";
  throw new Error(
    `DATABASE_URL has an unsupported scheme (${JSON.stringify(redactUrl(url))}). ` +
      `Use "file:./data/dev.db" (SQLite, path relative to the working directory) or ` +
      `"postgresql://user:password@host:5432/dbname" (PostgreSQL).`,
  );
}

/** Paths are relative to the project root (the directory holding prisma.config.ts). */
export function prismaPaths(flavour) {
  return {
    schema: `prisma/${flavour}/schema.prisma`,
    migrations: `prisma/${flavour}/migrations`,
  };
}

/**
 * Absolute SQLite file path for a `file:` URL. Relative paths resolve against the working directory,
 * exactly as @prisma/adapter-better-sqlite3 does at run time, so the app and the migrator open the same file.
 */
export function sqliteFilePath(url, cwd = process.cwd()) {
  let p = url.replace(/^file:/i, "").replace(/[?#].*$/, "");
  if (p.startsWith("//")) p = p.replace(/^\/\/(localhost)?/, "");
  p = decodeURIComponent(p);
  if (p === "" || p === ":memory:") throw new Error("DATABASE_URL must name a SQLite file, not an in-memory database");
  return path.resolve(cwd, p);
}

/** Hide the password when a URL is printed. */
export function redactUrl(url) {
  return String(url).replace(/^([a-z]+:\/\/[^:/@]+:)[^@]*@/i, "$1***@");
}
