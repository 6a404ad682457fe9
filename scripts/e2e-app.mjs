// Starts the app for the Playwright suite: prepares the database (creating a throwaway PostgreSQL database when
// DATABASE_URL names one that does not exist), applies migrations, then runs `next start` (or `next dev` with
// E2E_DEV=1). Output is copied to E2E_APP_LOG so tests can prove no secret was ever logged.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, DEFAULT_PG_ADMIN_URL } from "./pg-admin.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const url = process.env.DATABASE_URL ?? "";
const port = process.env.E2E_APP_PORT ?? "3000";
const logFile = process.env.E2E_APP_LOG;

if (url.startsWith("file:")) {
  const file = url.slice("file:".length);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${root}${file}${suffix}`, { force: true });
} else if (/^postgres(ql)?:\/\//.test(url)) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await createDatabase(process.env.PG_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL, name);
} else {
  console.error("e2e-app: DATABASE_URL must be file: or postgresql://");
  process.exit(1);
}

const migrate = spawnSync(process.execPath, ["scripts/prisma-wasm-migrate.mjs", "deploy"], { cwd: root, stdio: "inherit", env: process.env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = process.env.E2E_DEV === "1";
// E2E_STANDALONE_DIR: the standalone server (scripts/standalone.mjs copies it out of the repo) instead of `next start`.
const standalone = process.env.E2E_STANDALONE_DIR;
if (!dev && !standalone && !existsSync(`${root}.next/BUILD_ID`)) {
  console.error("e2e-app: no production build found. Run `npm run build` first (or set E2E_DEV=1).");
  process.exit(1);
}
const child = standalone
  ? spawn(process.execPath, ["--require", `${root}e2e/standalone-guard.cjs`, "server.js"], {
      cwd: standalone,
      env: { ...process.env, HOSTNAME: "127.0.0.1", PORT: port, E2E_REPO_ROOT: root },
      stdio: ["ignore", "pipe", "pipe"],
    })
  : spawn(process.execPath, ["node_modules/next/dist/bin/next", dev ? "dev" : "start", "-H", "127.0.0.1", "-p", port], {
      cwd: root,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
let sink;
if (logFile) {
  mkdirSync(dirname(logFile), { recursive: true });
  sink = createWriteStream(logFile, { flags: "w" });
}
for (const stream of [child.stdout, child.stderr]) {
  stream.on("data", (chunk) => {
    process.stdout.write(chunk);
    sink?.write(chunk);
  });
}
const stop = () => child.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
child.on("exit", (code) => {
  sink?.end();
  process.exit(code ?? 0);
});
