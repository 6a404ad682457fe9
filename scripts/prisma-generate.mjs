// Runs `prisma generate` offline. The Prisma CLI refuses to start unless it can find a schema-engine
// binary, which it cannot download here; generate never executes it, so any existing file satisfies
// the check. Migrations go through scripts/prisma-wasm-migrate.mjs instead.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(new URL("../package.json", import.meta.url)),
};
if (!existsSync(new URL("../prisma.config.ts", import.meta.url))) {
  console.log("prisma-generate: no prisma.config.ts yet, skipping");
  process.exit(0);
}
const r = spawnSync(process.execPath, [`${root}node_modules/prisma/build/index.js`, "generate"], { env, stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
