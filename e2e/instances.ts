import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { appEnv, e2e } from "./env";

/**
 * Extra app instances for multi-instance tests: the same build, database and environment as the instance Playwright
 * started (NEXTAUTH_URL stays the one public URL, as behind a load balancer), each on its own port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance ${url} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`instance ${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Instances {
  urls: string[];
  stop(): Promise<void>;
}

export async function startInstances(extra: number): Promise<Instances> {
  const children: ChildProcess[] = [];
  const urls = [e2e.appUrl];
  for (let i = 0; i < extra; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
      // appEnv() sets NODE_ENV; the cast only satisfies Next's stricter ProcessEnv typing.
      env: { ...appEnv(), E2E_APP_LOG: "" } as unknown as NodeJS.ProcessEnv,
      stdio: "ignore",
    });
    children.push(child);
    urls.push(`http://127.0.0.1:${port}`);
  }
  await Promise.all(urls.slice(1).map((u, i) => waitHealthy(u, children[i]!)));
  return {
    urls,
    stop: async () => {
      await Promise.all(
        children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once("exit", () => resolve()), c.kill("SIGTERM"))))),
      );
    },
  };
}
