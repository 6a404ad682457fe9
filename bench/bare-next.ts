import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitHealthy } from "@/e2e/instances";

/**
 * Bare Next.js apps built with the same `next` as the template, as baselines: what the framework costs before any
 * of our code (page weight, and the latency and throughput floor of a route handler).
 */
const root = fileURLToPath(new URL("..", import.meta.url));

export const BARE_LAYOUT = {
  "app/layout.jsx": 'export default function L({ children }) { return <html lang="en"><body>{children}</body></html>; }\n',
  "app/page.jsx": "export default function P() { return <p>bare</p>; }\n",
};

/** The proxy's route shape (a dynamic segment under /api/b24) answering at once, plus the health URL the harness polls. */
export const BARE_ROUTES = {
  ...BARE_LAYOUT,
  "app/api/b24/[method]/route.js": "export async function POST(req) {\n  await req.text();\n  return Response.json({ result: {} });\n}\n",
  "app/api/health/route.js": 'export const dynamic = "force-dynamic";\nexport function GET() {\n  return Response.json({ ok: true });\n}\n',
};

/** Builds the files into bench/results/<name> (git-ignored, inside the worktree so the same node_modules resolve). */
export function buildBare(name: string, files: Record<string, string>): { dir: string; remove(): void } {
  const dir = join(root, "bench/results", name);
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of Object.entries({ ...files, "package.json": JSON.stringify({ private: true, type: "module" }) })) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const r = spawnSync(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "build", dir], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bare build failed: ${(r.stderr || r.stdout).slice(-500)}`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `next start` on a bare build, on 127.0.0.1 and a free port. */
export async function startBare(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, "node_modules/next/dist/bin/next"), "start", dir, "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))));
  try {
    await waitHealthy(url, child, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}
