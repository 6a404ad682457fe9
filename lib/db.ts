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
  const adapter = url.startsWith("file:")
    ? new PrismaBetterSqlite3({ url, timeout: 10_000 })
    : new PrismaPg({ connectionString: url });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { b24Prisma?: PrismaClient };

/** Reused across hot reloads in development so the dev server does not exhaust connections. */
export function db(): PrismaClient {
  globalForPrisma.b24Prisma ??= createClient();
  return globalForPrisma.b24Prisma;
}
