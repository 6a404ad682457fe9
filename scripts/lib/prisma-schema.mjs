// Derives prisma/postgres/schema.prisma from the SQLite source of truth. Only the datasource provider changes,
// so both generated clients expose the same models and the generator output path stays the same.
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SOURCE_SCHEMA = "prisma/sqlite/schema.prisma";
export const POSTGRES_SCHEMA = "prisma/postgres/schema.prisma";

const HEADER =
  "// GENERATED from prisma/sqlite/schema.prisma by scripts/prisma-schema-sync.mjs (npm run db:sync).\n" +
  "// DO NOT EDIT: change the SQLite schema and re-run the sync; `npm run db:check` fails on any difference.\n\n";

/** @param {string} source the SQLite schema text */
export function renderPostgresSchema(source) {
  const blocks = [...source.matchAll(/^datasource\s+\w+\s*\{[^}]*\}/gm)];
  if (blocks.length !== 1) throw new Error(`${SOURCE_SCHEMA} must contain exactly one datasource block (found ${blocks.length})`);
  const [block] = blocks[0];
  const providerLine = /^(\s*provider\s*=\s*)"sqlite"/m;
  if (!providerLine.test(block)) throw new Error(`${SOURCE_SCHEMA}: the datasource provider must be "sqlite"`);
  const start = blocks[0].index;
  const pgBlock = block.replace(providerLine, '$1"postgresql"');
  return HEADER + source.slice(0, start) + pgBlock + source.slice(start + block.length);
}
