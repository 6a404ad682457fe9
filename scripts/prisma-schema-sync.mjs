// Writes prisma/postgres/schema.prisma from prisma/sqlite/schema.prisma (the source of truth).
//   node scripts/prisma-schema-sync.mjs           regenerate the PostgreSQL copy
//   node scripts/prisma-schema-sync.mjs --check   exit 1 if the committed copy differs (CI)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { POSTGRES_SCHEMA, ROOT, SOURCE_SCHEMA, renderPostgresSchema } from "./lib/prisma-schema.mjs";

const check = process.argv.includes("--check");
const target = path.join(ROOT, POSTGRES_SCHEMA);
let expected;
try {
  expected = renderPostgresSchema(readFileSync(path.join(ROOT, SOURCE_SCHEMA), "utf8"));
} catch (e) {
  console.error(`prisma-schema-sync: ${e.message}`);
  process.exit(1);
}
const current = existsSync(target) ? readFileSync(target, "utf8") : null;

if (check) {
  if (current === expected) {
    console.log(`prisma-schema-sync: ${POSTGRES_SCHEMA} is in sync with ${SOURCE_SCHEMA}`);
    process.exit(0);
  }
  console.error(
    `prisma-schema-sync: ${POSTGRES_SCHEMA} is ${current === null ? "missing" : "out of date"}: it must be generated from ${SOURCE_SCHEMA}.\n` +
      `Run \`npm run db:sync\` (node scripts/prisma-schema-sync.mjs), then create the matching migration on both engines ` +
      `(see prisma/README.md).`,
  );
  process.exit(1);
}

if (current === expected) {
  console.log(`prisma-schema-sync: ${POSTGRES_SCHEMA} already up to date`);
} else {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, expected);
  console.log(`prisma-schema-sync: wrote ${POSTGRES_SCHEMA}`);
}
