// Prisma 7: the connection URL lives here, not in the schema. The DATABASE_URL scheme picks the schema copy
// (prisma/sqlite or prisma/postgres): the generated client is provider-specific, so generate/build and the
// running app must see the same flavour. Migrations run through scripts/prisma-wasm-migrate.mjs (see prisma/README.md).
import { defineConfig } from "prisma/config";
import { DEFAULT_DATABASE_URL, flavourOf, prismaPaths } from "./scripts/lib/prisma-flavour.mjs";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const paths = prismaPaths(flavourOf(url));

export default defineConfig({
  schema: paths.schema,
  migrations: { path: paths.migrations },
  datasource: { url },
});
