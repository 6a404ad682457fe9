// `node scripts/standalone.mjs <dir>`: the deployable server out of a build: .next/standalone plus the static
// assets and public/ it does not include (Next.js leaves those to a CDN or to this copy), written to <dir>. The result
// runs with `node <dir>/server.js` and needs nothing from the repository (no node_modules, no sources); the
// Dockerfile does the same copy. Migrations are not in it: they run as a separate one-shot step (`npm run db:migrate`).
import { cpSync, existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dest = process.argv[2];
if (!dest) {
  console.error("usage: node scripts/standalone.mjs <dir>");
  process.exit(2);
}
if (!existsSync(`${root}.next/standalone/server.js`)) {
  console.error("standalone: no .next/standalone/server.js. Build with BUILD_STANDALONE=1 npm run build first.");
  process.exit(1);
}
const out = resolve(dest);
rmSync(out, { recursive: true, force: true });
// verbatimSymlinks: Turbopack links .next/node_modules/<pkg>-<hash> to ../../node_modules/<pkg>; resolving them
// would point the copy back into the repository.
cpSync(`${root}.next/standalone`, out, { recursive: true, verbatimSymlinks: true });
cpSync(`${root}.next/static`, `${out}/.next/static`, { recursive: true });
if (existsSync(`${root}public`)) cpSync(`${root}public`, `${out}/public`, { recursive: true });
console.log(`standalone server in ${out}: run \`node ${out}/server.js\` (PORT, HOSTNAME and the app's environment)`);
