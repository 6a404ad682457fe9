import { rmSync } from "node:fs";
import { e2e } from "./env";

/** Throwaway databases go away with the run; the app log stays in test-results/ for inspection. */
export default async function globalTeardown(): Promise<void> {
  if (e2e.flavour === "postgres") {
    const { dropDatabase, DEFAULT_PG_ADMIN_URL } = await import("../scripts/pg-admin.mjs");
    await dropDatabase(process.env.PG_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL, `b24tpl_e2e_${process.env.E2E_APP_PORT}`);
  } else {
    const file = e2e.databaseUrl.slice("file:".length);
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
  }
}
