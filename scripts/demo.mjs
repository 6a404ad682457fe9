// `npm run demo`: the whole flow on this machine with zero configuration. Starts the Bitrix24 emulator
// (OAuth server + one portal), prepares a fresh SQLite database, builds the app if needed, starts it, installs it
// on the emulated portal and prints what to open and which portal to type. Secrets are generated for this run only. Ctrl+C stops everything.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const children = [];

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer().once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}
async function pickPort(preferred) {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function stopAll(code = 0) {
  for (const c of children) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

async function waitFor(url, what, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000}s`);
}

const appPort = await pickPort(Number(process.env.DEMO_PORT ?? 3000));
const oauthPort = await pickPort(7000);
const portalPort = await pickPort(7001);
const appUrl = `http://127.0.0.1:${appPort}`;
const clientId = "local.demo00000000000001.00000001";
const clientSecret = randomBytes(24).toString("base64url");
const dbFile = "./data/demo.db";
const env = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  DATABASE_URL: `file:${dbFile}`,
  NEXTAUTH_URL: appUrl,
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  B24_CLIENT_ID: clientId,
  B24_CLIENT_SECRET: clientSecret,
  B24_OAUTH_SERVER: `http://127.0.0.1:${oauthPort}`,
  B24_PORTAL_HOSTS: "^127\\.0\\.0\\.1:\\d+$",
  B24_ALLOW_HTTP_LOOPBACK: "1",
  TOKEN_ENCRYPTION_KEYS: `demo:${randomBytes(32).toString("base64")}`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};

const builtFor = existsSync(`${root}.next/b24-db-flavour`) ? readFileSync(`${root}.next/b24-db-flavour`, "utf8") : "";
if (builtFor !== "sqlite" || !existsSync(`${root}.next/BUILD_ID`) || process.argv.includes("--rebuild")) {
  console.log("demo: building the app for SQLite (first run only; `npm run demo -- --rebuild` to force)…");
  const b = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, env, stdio: "inherit" });
  if (b.status !== 0) process.exit(b.status ?? 1);
} else {
  spawnSync(process.execPath, ["scripts/prisma-generate.mjs"], { cwd: root, env, stdio: "ignore" });
}

for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${root}${dbFile}${suffix}`, { force: true });
const m = spawnSync(process.execPath, ["scripts/prisma-wasm-migrate.mjs", "deploy"], { cwd: root, env, stdio: "pipe" });
if (m.status !== 0) {
  process.stderr.write(m.stderr);
  process.exit(m.status ?? 1);
}

const emulator = spawn(
  process.execPath,
  ["node_modules/tsx/dist/cli.mjs", "e2e/emulator/cli.ts", "--oauth-port", String(oauthPort), "--portal-port", String(portalPort),
    "--app-url", appUrl, "--client-id", clientId, "--client-secret", clientSecret, "--deals", "120", "--contacts", "75",
    // The permissions ticked in the app's form in Bitrix24: what `scopes` in bitrix24.app.ts lists.
    "--scope", "crm,user,placement,bizproc"],
  { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] },
);
children.push(emulator);
const app = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(appPort)], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
children.push(app);
for (const c of children) c.on("exit", (code) => { if (code) stopAll(code); });

try {
  await waitFor(`http://127.0.0.1:${oauthPort}/__emulator/health`, "the emulator", emulator);
  await waitFor(`${appUrl}/api/health`, "the app", app);
} catch (err) {
  console.error(`demo: ${err.message}`);
  stopAll(1);
}

/**
 * Start from a properly installed app, as a newcomer expects: the emulated portal installs it the way Bitrix24
 * installs an app without UI (ONAPPINSTALL to /api/b24/events, verified at the OAuth server), and the app binds its
 * events. The install doctor is then green after a sign-in.
 */
async function installOnPortal() {
  const control = `http://127.0.0.1:${oauthPort}/__emulator`;
  const { portals } = await (await fetch(`${control}/health`)).json();
  for (const { memberId } of portals) {
    const res = await fetch(`${control}/portals/${memberId}/install`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ noUi: true }) });
    const out = await res.json();
    if (!res.ok || out.delivery?.status !== 200) throw new Error(`the app did not accept the portal's ONAPPINSTALL (${out.delivery?.status ?? res.status})`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const portal = await (await fetch(`${control}/portals/${memberId}`)).json();
      if (portal.bindings.some((b) => b.event === "ONAPPUNINSTALL")) break;
      if (Date.now() > deadline) throw new Error("the app did not bind its events after the install");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
try {
  await installOnPortal();
} catch (err) {
  console.error(`demo: installing the app on the emulated portal failed: ${err.message}`);
  stopAll(1);
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`
  Bitrix24 app demo is running (ready in ${seconds}s); the app is installed on the emulated portal.

  1. Open            ${appUrl}
  2. Type the portal ${`127.0.0.1:${portalPort}`}
  3. On the portal's page choose a user and press "Allow"; you come back signed in.

  Or open the app inside the emulated portal, as Bitrix24 shows it:  http://127.0.0.1:${portalPort}/marketplace/app/

  Emulated Bitrix24: OAuth server http://127.0.0.1:${oauthPort}, portal http://127.0.0.1:${portalPort}
  Press Ctrl+C to stop.
`);
