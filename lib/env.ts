import "server-only";
import { z } from "zod";
import { DEFAULT_PORTAL_HOSTS, isLoopbackHost } from "@/lib/http/hosts";

/**
 * Server environment, validated once on first use at run time (never at build time, so a build machine needs no
 * secrets). Every problem is reported at once, naming the variable and the fix. `.env.example` documents each one.
 * There is no client-side environment: the browser needs no configuration and must never see these values.
 */

export { DEFAULT_PORTAL_HOSTS };

/** Bitrix24's OAuth servers (https://apidocs.bitrix24.com/settings/oauth/index.html): global, and the .ru zone's. */
export const BITRIX24_OAUTH_SERVERS: readonly string[] = ["https://oauth.bitrix.info", "https://oauth.bitrix24.tech"];

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const secret = (name: string, how: string) =>
  z
    .string({ error: `${name} is missing. ${how}` })
    .min(32, { error: `${name} must be at least 32 characters. ${how}` });

const keyRing = z
  .string({ error: "TOKEN_ENCRYPTION_KEYS is missing. Generate one with: npm run keys:new" })
  .transform((raw, ctx) => {
    const keys: Array<{ kid: string; key: Buffer }> = [];
    for (const part of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z0-9_-]{1,16}):([A-Za-z0-9+/_-]+={0,2})$/.exec(part);
      const key = m ? Buffer.from(m[2]!, "base64") : undefined;
      if (!m || !key || key.length !== 32) {
        ctx.addIssue({
          code: "custom",
          message: "TOKEN_ENCRYPTION_KEYS must be a comma list of <kid>:<base64 of 32 random bytes>, current key first. Generate one with: npm run keys:new",
        });
        return z.NEVER;
      }
      keys.push({ kid: m[1]!, key });
    }
    if (keys.length === 0) {
      ctx.addIssue({ code: "custom", message: "TOKEN_ENCRYPTION_KEYS is empty. Generate one with: npm run keys:new" });
      return z.NEVER;
    }
    if (new Set(keys.map((k) => k.kid)).size !== keys.length) {
      ctx.addIssue({ code: "custom", message: "TOKEN_ENCRYPTION_KEYS has a key id twice; each <kid> must be unique." });
      return z.NEVER;
    }
    return keys;
  });

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .default("file:./data/dev.db")
      .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), {
        error: "DATABASE_URL must start with file: (SQLite, e.g. file:./data/dev.db) or postgresql:// (PostgreSQL).",
      }),
    NEXTAUTH_URL: z.url({ error: "NEXTAUTH_URL must be the public base URL of this app, e.g. https://app.example.com" }),
    NEXTAUTH_SECRET: secret("NEXTAUTH_SECRET", "Generate one with: openssl rand -base64 32"),
    B24_CLIENT_ID: z
      .string({ error: "B24_CLIENT_ID is missing. Copy the client_id (application code) from your app's card in the Bitrix24 developer account." })
      .min(1, { error: "B24_CLIENT_ID is empty. Copy the client_id from your app's card in the Bitrix24 developer account." }),
    B24_CLIENT_SECRET: z
      .string({ error: "B24_CLIENT_SECRET is missing. Copy the client_secret from your app's card in the Bitrix24 developer account." })
      .min(1, { error: "B24_CLIENT_SECRET is empty. Copy the client_secret from your app's card." }),
    B24_OAUTH_SERVER: z.url({ error: "B24_OAUTH_SERVER must be a URL such as https://oauth.bitrix.info" }).default("https://oauth.bitrix.info"),
    // Further OAuth servers (regions), each with its own app registration: "<origin>|<client_id>|<client_secret>",
    // comma-separated. A missing client_secret (or client_id) means B24_CLIENT_SECRET's (B24_CLIENT_ID's). Checked
    // (pinned, no duplicates) in superRefine below; lib/bitrix24/config.ts turns it into B24Config.servers.
    B24_OAUTH_SERVERS: z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const entries: Array<{ origin: string; clientId?: string; clientSecret?: string }> = [];
        const parts = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
        parts.forEach((part, i) => {
          const [server = "", clientId, clientSecret, ...extra] = part.split("|").map((s) => s.trim());
          let url: URL | null = null;
          try {
            url = new URL(server);
          } catch {
            url = null;
          }
          if (!url || !/^https?:$/.test(url.protocol) || extra.length > 0 || clientId === "" || clientSecret === "" || (url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username || url.password) {
            // Never echo the entry: it may hold a client secret.
            ctx.addIssue({ code: "custom", message: `B24_OAUTH_SERVERS entry ${i + 1} must be <OAuth server origin>|<client_id>|<client_secret>, e.g. https://oauth.bitrix24.tech|app.123|secret (entries separated by commas; client_id and client_secret may be left out to reuse B24_CLIENT_ID / B24_CLIENT_SECRET).` });
            return;
          }
          entries.push({ origin: url.origin, clientId, clientSecret });
        });
        return entries;
      }),
    B24_PORTAL_HOSTS: z
      .string()
      .default(DEFAULT_PORTAL_HOSTS)
      .refine(
        (v) => {
          try {
            new RegExp(v);
            return true;
          } catch {
            return false;
          }
        },
        { error: "B24_PORTAL_HOSTS must be a valid regular expression matched against the portal host (host[:port])." },
      ),
    B24_ALLOW_HTTP_LOOPBACK: flag,
    TOKEN_ENCRYPTION_KEYS: keyRing,
    B24_RATE_LIMIT_BURST: z.coerce
      .number({ error: "B24_RATE_LIMIT_BURST must be a whole number (50 on standard plans, 250 on Enterprise)." })
      .int()
      .min(2)
      .max(10_000)
      .default(50),
    B24_RATE_LIMIT_PER_SEC: z.coerce
      .number({ error: "B24_RATE_LIMIT_PER_SEC must be a number (2 on standard plans, 5 on Enterprise)." })
      .positive()
      .max(10_000)
      .default(2),
    B24_PROXY_METHODS: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((m) => m.trim()).filter(Boolean) : undefined)),
    B24_REQUIRED_SCOPES: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((m) => m.trim()).filter(Boolean) : undefined)),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    B24_WORKER_MODE: z
      .enum(["web", "separate"], { error: 'B24_WORKER_MODE must be "web" (the web process runs queued work; the default) or "separate" (`npm run worker` processes run it).' })
      .default("web"),
    // How long a claimed job stays a worker's before another may take it over (a worker that died mid-run), and the
    // first retry delay (doubling up to 10 min). Tests shorten both; production rarely needs to.
    B24_WORKER_LEASE_MS: z.coerce
      .number({ error: "B24_WORKER_LEASE_MS must be a number of milliseconds (default 60000)." })
      .int()
      .min(500)
      .max(3_600_000)
      .default(60_000),
    B24_WORKER_BACKOFF_MS: z.coerce
      .number({ error: "B24_WORKER_BACKOFF_MS must be a number of milliseconds (default 2000)." })
      .int()
      .min(10)
      .max(600_000)
      .default(2_000),
    // A refresh token lives 180 days (Bitrix24 OAuth); the daily keep-alive refreshes an installer pair whose token is
    // this many days old, so background work survives a portal nobody opens. The rest is margin for a stopped worker.
    B24_KEEPALIVE_DAYS: z.coerce
      .number({ error: "B24_KEEPALIVE_DAYS must be a whole number of days from 1 to 179 (default 150)." })
      .int({ error: "B24_KEEPALIVE_DAYS must be a whole number of days from 1 to 179 (default 150)." })
      .min(1, { error: "B24_KEEPALIVE_DAYS must be at least 1 (default 150)." })
      .max(179, { error: "B24_KEEPALIVE_DAYS must be below 180: a refresh token dies after 180 days, so refresh before that (default 150)." })
      .default(150),
    // The Marketplace asks vendors to keep REST requests and responses for at least the last 3 days (lib/bitrix24/rest-log.ts).
    B24_REST_LOG_DAYS: z.coerce
      .number({ error: "B24_REST_LOG_DAYS must be a whole number of days from 0 (off) to 90 (default 3, the Marketplace's minimum)." })
      .int({ error: "B24_REST_LOG_DAYS must be a whole number of days from 0 (off) to 90 (default 3)." })
      .min(0, { error: "B24_REST_LOG_DAYS must be 0 (off) or more (default 3)." })
      .max(90, { error: "B24_REST_LOG_DAYS must be at most 90 (default 3)." })
      .default(3),
    B24_REST_LOG_MAX_MB: z.coerce
      .number({ error: "B24_REST_LOG_MAX_MB must be a whole number of megabytes from 1 to 100000 (default 512)." })
      .int({ error: "B24_REST_LOG_MAX_MB must be a whole number of megabytes (default 512)." })
      .min(1, { error: "B24_REST_LOG_MAX_MB must be at least 1 (default 512)." })
      .max(100_000, { error: "B24_REST_LOG_MAX_MB must be at most 100000 (default 512)." })
      .default(512),
    // Enables GET /api/metrics for scrapers sending it as a bearer token; unset (or empty) means no endpoint at all.
    METRICS_TOKEN: z
      .string()
      .regex(/^[\x21-\x7e]{24,}$/, { error: "METRICS_TOKEN must be at least 24 visible characters without spaces, or unset to turn /api/metrics off. Generate one with: openssl rand -hex 24" })
      .optional(),
  })
  .superRefine((env, ctx) => {
    for (const name of ["NEXTAUTH_URL", "B24_OAUTH_SERVER"] as const) {
      const url = new URL(env[name]);
      if (url.protocol === "https:") continue;
      if (url.protocol === "http:" && env.B24_ALLOW_HTTP_LOOPBACK && isLoopbackHost(url.host)) continue;
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: env.B24_ALLOW_HTTP_LOOPBACK
          ? `${name} must use https://; plain http:// is allowed only for a loopback host (127.0.0.1, localhost, [::1]).`
          : `${name} must use https://. For local tests against the emulator set B24_ALLOW_HTTP_LOOPBACK=1 (loopback hosts only).`,
      });
    }
    // The OAuth server vouches for every token the app trusts, so it is pinned to Bitrix24's own servers; only the
    // emulator's loopback address passes besides them, and only under the test opt-in.
    const oauth = new URL(env.B24_OAUTH_SERVER);
    const pinned = BITRIX24_OAUTH_SERVERS.includes(oauth.origin) && (oauth.pathname === "/" || oauth.pathname === "");
    if (!pinned && !(env.B24_ALLOW_HTTP_LOOPBACK && isLoopbackHost(oauth.host))) {
      ctx.addIssue({
        code: "custom",
        path: ["B24_OAUTH_SERVER"],
        message: `B24_OAUTH_SERVER must be one of Bitrix24's OAuth servers: ${BITRIX24_OAUTH_SERVERS.join(" or ")} (the .ru zone's). Leave it unset for ${BITRIX24_OAUTH_SERVERS[0]}.`,
      });
    }
    // B24_OAUTH_SERVERS: each entry pinned like B24_OAUTH_SERVER, and each server configured once.
    const seen = new Set([new URL(env.B24_OAUTH_SERVER).origin]);
    env.B24_OAUTH_SERVERS.forEach(({ origin }, i) => {
      const url = new URL(origin);
      const loopbackOk = env.B24_ALLOW_HTTP_LOOPBACK && isLoopbackHost(url.host);
      if (!BITRIX24_OAUTH_SERVERS.includes(origin) && !loopbackOk) {
        ctx.addIssue({
          code: "custom",
          path: ["B24_OAUTH_SERVERS"],
          message: `B24_OAUTH_SERVERS entry ${i + 1} (${origin}) must be one of Bitrix24's OAuth servers: ${BITRIX24_OAUTH_SERVERS.join(" or ")}.${env.B24_ALLOW_HTTP_LOOPBACK ? "" : " A loopback emulator needs B24_ALLOW_HTTP_LOOPBACK=1."}`,
        });
      } else if (seen.has(origin)) {
        ctx.addIssue({
          code: "custom",
          path: ["B24_OAUTH_SERVERS"],
          message: `B24_OAUTH_SERVERS entry ${i + 1} (${origin}) repeats a server already configured (by B24_OAUTH_SERVER or an earlier entry); list each server once.`,
        });
      }
      seen.add(origin);
    });
  });

export type ServerEnv = z.output<typeof schema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`);
    this.name = "EnvError";
  }
}

/** Parses an environment (process.env by default); throws EnvError listing every problem. */
export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      return issue.message.includes(name) || !name ? issue.message : `${name}: ${issue.message}`;
    }),
  );
}

let cached: ServerEnv | undefined;

export function env(): ServerEnv {
  cached ??= parseServerEnv(process.env);
  return cached;
}
