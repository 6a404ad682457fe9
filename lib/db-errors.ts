/**
 * Whether an error means "the database cannot be reached right now" rather than a bug: Prisma's connection codes,
 * and the driver's own codes PostgreSQL sends when it refuses or drops connections (class 08 connection exceptions,
 * 57P01–57P03 shutdown/cannot connect now, 53 insufficient resources, 55000 a database not accepting connections)
 * or SQLite's busy/cannot-open. Such errors answer 503 (lib/errors.ts) and the service recovers once it is back.
 */
const PRISMA_UNAVAILABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53[0-9A-Z]{3}|55000)$/;
const NET_UNAVAILABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|SQLITE_BUSY|SQLITE_CANTOPEN|SQLITE_IOERR.*)$/;

interface DriverCause {
  originalCode?: unknown;
  code?: unknown;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { name?: unknown; code?: unknown; meta?: { driverAdapterError?: { cause?: DriverCause } }; cause?: unknown };
  if (e.name === "PrismaClientInitializationError") return true;
  if (typeof e.code === "string" && (PRISMA_UNAVAILABLE.has(e.code) || NET_UNAVAILABLE.test(e.code) || PG_UNAVAILABLE.test(e.code))) return true;
  const driver = e.meta?.driverAdapterError?.cause;
  for (const code of [driver?.originalCode, driver?.code]) {
    if (typeof code === "string" && (PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.test(code))) return true;
  }
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}
