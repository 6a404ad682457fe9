import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatorApi } from "./emulator-api";
import { startEmulator, type Emulator } from "./emulator";
import { appEnv, E2E_BUCKET, e2e } from "./env";
import { freePort, waitHealthy } from "./instances";

/**
 * The app as it runs in production: behind a TLS terminator, NEXTAUTH_URL=https://app.localhost:<port>, so next-auth
 * and the frame handlers use the https cookie set (__Host-, Secure, SameSite=None, Partitioned). Everything is its
 * own: a self-signed certificate made now with openssl (never stored in the repo), a TLS reverse proxy (Node's
 * https module) in the test process, a production `next start` from the existing build with its own throwaway
 * database of the run's flavour, and an emulator whose app URL is that https origin. The emulator stays plain http
 * on 127.0.0.1 (B24_ALLOW_HTTP_LOOPBACK), so the portal page and the framed app are different sites.
 */
export interface HttpsApp {
  /** https://app.localhost:<port>, the public URL (NEXTAUTH_URL). */
  url: string;
  emulator: EmulatorApi;
  /** The emulator's first portal (installed, as in a standalone sign-in). */
  portal: { url: string; host: string; memberId: string };
  stop(): Promise<void>;
}

/**
 * A loopback name with a dot: Bitrix24 (and the emulator) refuse event/placement handler URLs whose host has no dot,
 * and Chromium resolves every *.localhost name to loopback itself (no /etc/hosts entry needed).
 */
const HOST = "app.localhost";

function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "b24-e2e-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
      "-subj", `/CN=${HOST}`, "-addext", `subjectAltName=DNS:${HOST}`,
    ], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TLS termination in front of http://127.0.0.1:<target>; headers (every Set-Cookie line) pass through untouched. */
function tlsProxy(tls: { key: Buffer; cert: Buffer }, target: number): Server {
  return createHttpsServer(tls, (req, res) => {
    const up = httpRequest(
      {
        host: "127.0.0.1",
        port: target,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-forwarded-proto": "https", "x-forwarded-host": req.headers.host ?? "" },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

function databaseUrl(port: number): string {
  if (e2e.flavour === "sqlite") return `file:./data/e2e-https-${port}.db`;
  const url = new URL(e2e.databaseUrl);
  url.pathname = `/b24tpl_e2e_https_${port}`;
  return url.toString();
}

async function dropDatabase(url: string): Promise<void> {
  if (url.startsWith("file:")) {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${url.slice("file:".length)}${suffix}`, { force: true });
    return;
  }
  const { dropDatabase: drop, DEFAULT_PG_ADMIN_URL } = await import("../scripts/pg-admin.mjs");
  await drop(process.env.PG_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL, decodeURIComponent(new URL(url).pathname.slice(1)));
}

export async function startHttpsApp(): Promise<HttpsApp> {
  const tls = selfSignedCert();
  const appPort = await freePort();
  const proxies = [tlsProxy(tls, appPort)];
  const port = await listen(proxies[0]!, 0, "127.0.0.1");
  // Chromium may try ::1 first for *.localhost; serve both loopback addresses when the machine has IPv6.
  const v6 = tlsProxy(tls, appPort);
  if (await listen(v6, port, "::1").then(() => true, () => false)) proxies.push(v6);
  const url = `https://${HOST}:${port}`;

  let emulator: Emulator | undefined;
  let child: ChildProcess | undefined;
  const db = databaseUrl(appPort);
  const stop = async () => {
    if (child && child.exitCode === null) {
      const c = child;
      await new Promise<void>((resolve) => (c.once("exit", () => resolve()), c.kill("SIGTERM")));
    }
    await emulator?.stop();
    await Promise.all(proxies.map((p) => new Promise<void>((resolve) => (p.closeAllConnections(), p.close(() => resolve())))));
    await dropDatabase(db).catch(() => {});
  };
  try {
    emulator = await startEmulator({
      app: { clientId: e2e.clientId, clientSecret: e2e.clientSecret, appUrl: url, scope: "crm,user,placement,bizproc" },
      rateLimit: { burst: E2E_BUCKET.burst, drainPerSec: E2E_BUCKET.perSec },
      portals: [{}],
    });
    // scripts/e2e-app.mjs as for the suite's own app: fresh database, migrations, then `next start` of the build. Never
    // `next dev` (E2E_DEV): a second dev server cannot share the first one's .next; without a build this fails, saying so.
    child = spawn(process.execPath, ["scripts/e2e-app.mjs"], {
      env: { ...appEnv(), E2E_DEV: "", E2E_APP_PORT: String(appPort), DATABASE_URL: db, NEXTAUTH_URL: url, B24_OAUTH_SERVER: emulator.oauthUrl, E2E_APP_LOG: "" } as unknown as NodeJS.ProcessEnv,
      stdio: "ignore",
    });
    await waitHealthy(`http://127.0.0.1:${appPort}`, child, 90_000);
    return { url, emulator: new EmulatorApi(emulator.oauthUrl), portal: emulator.portals[0]!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
