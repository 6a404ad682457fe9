import { execFileSync } from "node:child_process";

/**
 * Ports and settings shared by playwright.config.ts and the tests. Ports are chosen once, in the config process,
 * and exported through process.env so every worker sees the same values.
 */
function freePort(): string {
  return execFileSync(process.execPath, ["-e", "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"])
    .toString()
    .trim();
}

export function ensurePorts(): void {
  process.env.E2E_APP_PORT ||= freePort();
  process.env.E2E_OAUTH_PORT ||= freePort();
  process.env.E2E_PORTAL_PORT ||= freePort();
  process.env.E2E_OAUTH2_PORT ||= freePort();
  process.env.E2E_SELF_HOSTED_PORT ||= freePort();
}

export type DbFlavour = "sqlite" | "postgres";

export const e2e = {
  get flavour(): DbFlavour {
    return process.env.E2E_DB === "postgres" ? "postgres" : "sqlite";
  },
  get appUrl() {
    return `http://127.0.0.1:${process.env.E2E_APP_PORT}`;
  },
  get oauthUrl() {
    return `http://127.0.0.1:${process.env.E2E_OAUTH_PORT}`;
  },
  get portalHost() {
    return `127.0.0.1:${process.env.E2E_PORTAL_PORT}`;
  },
  /** The emulator's second OAuth server (another region), with the app's second registration (clientId2/clientSecret2). */
  get oauth2Url() {
    return `http://127.0.0.1:${process.env.E2E_OAUTH2_PORT}`;
  },
  /**
   * The one portal address outside the app's allow-list (B24_PORTAL_HOSTS below excludes its port): it plays a
   * self-hosted Bitrix24, reachable only through what the OAuth server vouches for. Same site as the app, so the
   * frame's cookies behave as with any portal.
   */
  get selfHostedPort() {
    return Number(process.env.E2E_SELF_HOSTED_PORT);
  },
  get databaseUrl() {
    if (this.flavour === "sqlite") return `file:./data/e2e-${process.env.E2E_APP_PORT}.db`;
    const url = new URL(process.env.PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
    url.pathname = `/b24tpl_e2e_${process.env.E2E_APP_PORT}`;
    return url.toString();
  },
  get appLog() {
    return `test-results/app-${this.flavour}-${process.env.E2E_APP_PORT}.log`;
  },
  clientId: "local.e2e0000000000001.00000001",
  // Canary secrets: tests assert these never appear in logs, pages, cookies or URLs.
  clientSecret: "e2e-client-secret-CANARY-7f3a9c",
  nextAuthSecret: "e2e-nextauth-secret-CANARY-0123456789abcdef",
  encryptionKeys: `e2e:${Buffer.alloc(32, 42).toString("base64")}`,
  clientId2: "local.e2e0000000000002.00000002",
  clientSecret2: "e2e-client-secret-2-CANARY-4b1d0e",
  // The scraper's bearer token for GET /api/metrics; a canary too.
  metricsToken: "e2e-metrics-token-CANARY-5d2e8a71c0",
};

/** Bucket used by both the emulator and the app in e2e: same mechanism as Bitrix24's 50/2, faster so runs stay short. */
export const E2E_BUCKET = { burst: 20, perSec: 10 };

/** Environment of every app instance in the e2e run (instances behind one public URL share it). */
export function appEnv(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    DATABASE_URL: e2e.databaseUrl,
    NEXTAUTH_URL: e2e.appUrl,
    NEXTAUTH_SECRET: e2e.nextAuthSecret,
    B24_CLIENT_ID: e2e.clientId,
    B24_CLIENT_SECRET: e2e.clientSecret,
    B24_OAUTH_SERVER: e2e.oauthUrl,
    // Set only in a run whose ports ensurePorts() chose (playwright.config.ts); benches start their own emulator.
    ...(process.env.E2E_OAUTH2_PORT ? { B24_OAUTH_SERVERS: `${e2e.oauth2Url}|${e2e.clientId2}|${e2e.clientSecret2}` } : {}),
    B24_PORTAL_HOSTS: process.env.E2E_SELF_HOSTED_PORT ? `^127\\.0\\.0\\.1:(?!${e2e.selfHostedPort}$)\\d+$` : "^127\\.0\\.0\\.1:\\d+$",
    B24_ALLOW_HTTP_LOOPBACK: "1",
    B24_RATE_LIMIT_BURST: String(E2E_BUCKET.burst),
    B24_RATE_LIMIT_PER_SEC: String(E2E_BUCKET.perSec),
    TOKEN_ENCRYPTION_KEYS: e2e.encryptionKeys,
    // Retries of queued work start at 100 ms instead of 2 s, so a job reaches "stopped" within a test.
    B24_WORKER_BACKOFF_MS: "100",
    LOG_LEVEL: "debug",
    METRICS_TOKEN: e2e.metricsToken,
    E2E_APP_LOG: e2e.appLog,
  };
}
