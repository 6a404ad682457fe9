import "server-only";
import { db } from "@/lib/db";

/** Readiness: the database answers. Says nothing about tenants. */
export async function readiness(): Promise<{ ok: boolean; db: "ok" | "unreachable" }> {
  try {
    await db().$queryRaw`SELECT 1`;
    return { ok: true, db: "ok" };
  } catch {
    return { ok: false, db: "unreachable" };
  }
}
