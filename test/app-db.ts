import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway SQLite database with the app's migrations applied, and the app environment pointing at it.
 * Call before importing any module that reads env() or db() (use dynamic imports in the test file).
 */
export function useAppDatabase(env: Record<string, string>): { cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "b24-app-db-"));
  Object.assign(process.env, {
    DATABASE_URL: `file:${join(dir, "test.db")}`,
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    NEXTAUTH_SECRET: "x".repeat(40),
    B24_CLIENT_ID: "local.test",
    B24_CLIENT_SECRET: "client-secret-canary",
    B24_OAUTH_SERVER: "http://127.0.0.1:1",
    B24_ALLOW_HTTP_LOOPBACK: "1",
    B24_PORTAL_HOSTS: "^(127\\.0\\.0\\.1:\\d+|[a-z0-9-]+\\.bitrix24\\.com)$",
    LOG_LEVEL: "silent",
    ...env,
  });
  const migrate = spawnSync(process.execPath, ["scripts/prisma-wasm-migrate.mjs", "deploy"], { env: process.env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  return { cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
