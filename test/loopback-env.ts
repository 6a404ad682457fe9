/**
 * The app environment of a unit test that talks to a local server over http://127.0.0.1 without a database: the
 * HTTP client reads B24_ALLOW_HTTP_LOOPBACK (lib/env.ts) before connecting to a loopback IP literal.
 */
export function useLoopbackEnv(): void {
  Object.assign(process.env, {
    NEXTAUTH_URL: "http://127.0.0.1:3999",
    NEXTAUTH_SECRET: "x".repeat(40),
    B24_CLIENT_ID: "local.test",
    B24_CLIENT_SECRET: "client-secret-canary",
    B24_OAUTH_SERVER: "http://127.0.0.1:1",
    B24_ALLOW_HTTP_LOOPBACK: "1",
    TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
    LOG_LEVEL: "silent",
  });
}
