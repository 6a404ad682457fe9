import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startEmulator, type Emulator, type EmulatorOptions } from "@/e2e/emulator";
import { appEnv, e2e } from "@/e2e/env";
import { freePort, waitHealthy } from "@/e2e/instances";
import { DEFAULT_PG_ADMIN_URL, dropDatabase } from "@/scripts/pg-admin.mjs";

/**
 * Real app processes for the proxy and storm benchmarks: the worktree's own production build (`npm run build`),
 * started the way the e2e harness does (scripts/e2e-app.mjs prepares the database, then `next start`), with the
 * e2e environment pointed at an in-process emulator. Everything listens on 127.0.0.1.
 */
const root = fileURLToPath(new URL("..", import.meta.url));

export interface AppCluster {
  emu: Emulator;
  /** The first URL is the public one (NEXTAUTH_URL); the others are extra instances behind it. */
  urls: string[];
  /** The app processes, in the order of their URLs (with a balancer, urls[0] is the balancer's, so instance i is urls[i + 1]). */
  processes: ChildProcess[];
  stop(): Promise<void>;
}

export async function startCluster(opts: {
  instances: number;
  flavour: "sqlite" | "postgres";
  emulator?: Partial<EmulatorOptions>;
  env?: Record<string, string>;
  /** Puts this in front of every instance on the public URL (bench/balancer.ts); no instance listens on it then. */
  balancer?: (listenPort: number, backends: string[]) => Promise<{ stop(): Promise<void> }>;
}): Promise<AppCluster> {
  const appPort = await freePort();
  // e2e/env.ts derives every URL, the database name and the secrets from these; the bench reuses that contract.
  process.env.E2E_APP_PORT = String(appPort);
  process.env.E2E_DB = opts.flavour;
  const emu = await startEmulator({
    rateLimit: "off",
    portals: [{ deals: 120 }],
    ...opts.emulator,
    // installHandlerUrl: the no-UI install's ONAPPINSTALL goes to the events route, as Bitrix24 sends it.
    app: { clientId: e2e.clientId, clientSecret: e2e.clientSecret, appUrl: e2e.appUrl, installHandlerUrl: `${e2e.appUrl}/api/b24/events`, scope: "crm,user,placement,bizproc" },
  });
  process.env.E2E_OAUTH_PORT = new URL(emu.oauthUrl).port;
  const env = { ...appEnv(), LOG_LEVEL: "error", E2E_APP_LOG: "", ...opts.env } as unknown as NodeJS.ProcessEnv;
  // The PostgreSQL database (created by scripts/e2e-app.mjs) is this run's own and is dropped on stop.
  const dbName = decodeURIComponent(new URL(e2e.databaseUrl).pathname.slice(1));
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  let balancer: { stop(): Promise<void> } | undefined;
  const stop = async () => {
    await balancer?.stop();
    await Promise.all(
      children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : (c.once("exit", () => resolve()), c.kill("SIGTERM"))))),
    );
    await emu.stop();
    if (opts.flavour === "postgres") await dropDatabase(process.env.PG_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL, dbName);
  };
  try {
    for (let i = 0; i < opts.instances; i++) {
      const port = i === 0 && !opts.balancer ? appPort : await freePort();
      // The first instance prepares the database (SQLite file reset or PostgreSQL database created, migrations).
      const args = i === 0 ? ["scripts/e2e-app.mjs"] : ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)];
      const child = spawn(process.execPath, args, { cwd: root, env: { ...env, E2E_APP_PORT: String(port) }, stdio: "ignore" });
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
      await waitHealthy(urls[i]!, child, 90_000);
    }
    if (opts.balancer) {
      balancer = await opts.balancer(appPort, [...urls]);
      urls.unshift(e2e.appUrl);
      await waitHealthy(e2e.appUrl, children[0]!, 30_000);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { emu, urls, processes: children, stop };
}
