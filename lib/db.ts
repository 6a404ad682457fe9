import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

/**
 * The one Prisma client. The driver adapter follows DATABASE_URL's scheme; the generated client is
 * provider-specific, so the scheme at `npm run build` (which runs prisma generate) must match run time.
 */
function createClient(): PrismaClient {
  const url = env().DATABASE_URL;
  if (!url.startsWith("file:")) return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url, timeout: 10_000 }) });
  // WAL lets reads proceed during a write, and synchronous=NORMAL is durable in WAL mode except on power loss
  // mid-checkpoint; together they cut a write transaction from several fsyncs to about none.
  void client
    .$queryRawUnsafe("PRAGMA journal_mode = WAL")
    .then(() => client.$queryRawUnsafe("PRAGMA synchronous = NORMAL"))
    .catch(() => {});
  return client;
}

const globalForPrisma = globalThis as unknown as { b24Prisma?: PrismaClient };

/** Reused across hot reloads in development so the dev server does not exhaust connections. */
export function db(): PrismaClient {
  globalForPrisma.b24Prisma ??= createClient();
  return globalForPrisma.b24Prisma;
}
