import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * HAProxy from Debian's packages in front of the app instances, as a deployment would run it: round robin, an HTTP
 * health check on /api/health every 500 ms, and a request whose connection fails (an instance that died) sent to
 * another instance. Only for the scale bench; the binary is found on PATH or in /usr/sbin.
 */
export function haproxyPath(): string | null {
  for (const bin of ["haproxy", "/usr/sbin/haproxy"]) {
    if (spawnSync(bin, ["-v"], { stdio: "ignore" }).status === 0) return bin;
  }
  return null;
}

export function haproxyConfig(listenPort: number, backends: string[]): string {
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  retries 3",
    "  option redispatch",
    // Only failures where the request never reached an app are retried elsewhere: a POST that an instance may have
    // acted on is not repeated behind the app's back.
    "  retry-on conn-failure empty-response",
    "frontend app",
    `  bind 127.0.0.1:${listenPort}`,
    "  default_backend apps",
    "backend apps",
    "  balance roundrobin",
    "  option httpchk GET /api/health",
    "  http-check expect status 200",
    "  default-server inter 500ms fall 2 rise 2",
    ...backends.map((url, i) => `  server app${i + 1} ${new URL(url).host} check`),
    "",
  ].join("\n");
}

export async function startHaproxy(listenPort: number, backends: string[]): Promise<{ stop(): Promise<void> }> {
  const bin = haproxyPath();
  if (!bin) throw new Error("haproxy is not installed (apt-get install haproxy)");
  const dir = mkdtempSync(join(tmpdir(), "b24-haproxy-"));
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, haproxyConfig(listenPort, backends));
  const child = spawn(bin, ["-db", "-f", cfg], { stdio: "ignore" });
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", done);
      child.kill("SIGTERM");
    });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${listenPort}/api/health`)).ok) return { stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("haproxy did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
