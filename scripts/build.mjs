// `npm run build`: generate the Prisma client for DATABASE_URL's engine, build Next.js, and record which engine
// the build is for (the generated client is engine-specific; the demo and e2e harness check the marker).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const flavour = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? "") ? "postgres" : "sqlite";

for (const args of [["scripts/prisma-generate.mjs"], ["node_modules/next/dist/bin/next", "build"]]) {
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
writeFileSync(`${root}.next/b24-db-flavour`, flavour);
