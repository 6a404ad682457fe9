import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { processLocal } from "@/lib/process-local";
import { createOperatingLimits, type OperatingLimits, type SharedBlocks } from "./operating";

/**
 * Operating-time blocks in the database, for several instances on PostgreSQL: written when an instance gets a 429,
 * read when another one gets its own 429 and may not have seen the reset Bitrix24 reported to the first. Calls
 * never read it before sending: the per-process instance answers that without a query.
 */
const onPostgres = () => !env().DATABASE_URL.startsWith("file:");

const databaseBlocks: SharedBlocks = {
  async read(memberId, method) {
    if (!onPostgres()) return null;
    const row = await db().operatingBlock.findUnique({ where: { memberId_method: { memberId, method: method.toLowerCase() } }, select: { until: true } });
    return row?.until ?? null;
  },
  async write(memberId, method, untilMs) {
    if (!onPostgres()) return;
    const m = method.toLowerCase();
    await db().operatingBlock.upsert({ where: { memberId_method: { memberId, method: m } }, create: { memberId, method: m, until: untilMs }, update: { until: untilMs } });
  },
};

/** The one instance every client of the app uses (index.ts, sign-in): in memory, plus the database on PostgreSQL. */
export function sharedOperating(): OperatingLimits {
  return processLocal("b24.operating", () => createOperatingLimits(databaseBlocks));
}
