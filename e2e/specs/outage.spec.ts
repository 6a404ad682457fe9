import pg from "pg";
import { e2e, expect, test } from "../fixtures";
import { callProxy, sessionCookie } from "../proxy-caller";

/**
 * The database goes away under the running app (checklist item 42): readiness says so, the proxy and the events
 * route answer 503 with a generic body (no driver detail), nothing is written anywhere else, and the app serves again
 * as soon as the database is back, without a restart. PostgreSQL only: there the database is a separate server
 * that can refuse connections; a SQLite file held open by the app cannot be taken away the same way.
 */
const GENERIC = { error: "service_unavailable", message: "The app is briefly unavailable. Try again in a minute." };

async function withAdmin<T>(fn: (admin: pg.Client, db: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  try {
    return await fn(admin, new URL(e2e.databaseUrl).pathname.slice(1));
  } finally {
    await admin.end();
  }
}

const setConnections = (allow: boolean) =>
  withAdmin(async (admin, db) => {
    await admin.query(`ALTER DATABASE "${db.replace(/[^a-z0-9_]/g, "")}" ALLOW_CONNECTIONS ${allow ? "true" : "false"}`);
    if (!allow) await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [db]);
  });

if (e2e.flavour === "postgres") {
  test("database outage: readiness false, 503 with a generic body from the proxy and the events route, recovery without a restart [#42]", async ({ page, signIn, emulator, request }) => {
    await signIn();
    const cookie = await sessionCookie(page.context());
    expect((await callProxy(cookie, "user.current")).status).toBe(200);
    const member = (await emulator.health()).portals.find((p) => p.host === e2e.portalHost)!.memberId;
    try {
      await setConnections(false);
      const health = await request.get("/api/health");
      expect(health.status()).toBe(503);
      expect(await health.json()).toEqual({ ok: false, db: "unreachable" });

      const since = await emulator.lastSeq();
      const proxied = await callProxy(cookie, "user.current");
      expect(proxied.status).toBe(503);
      expect(proxied.body).toEqual(GENERIC);
      expect(proxied.headers.get("retry-after")).toBe("5");
      const event = await request.post("/api/b24/events", { form: { event: "ONAPPTEST", "auth[member_id]": member, "auth[application_token]": "whatever-token-value" } });
      expect(event.status()).toBe(503);
      expect(await event.json()).toEqual(GENERIC);
      // Without its database the app cannot read a token, so nothing reached Bitrix24.
      expect(await emulator.log(since)).toHaveLength(0);
    } finally {
      await setConnections(true);
    }
    await expect.poll(async () => (await request.get("/api/health")).status(), { timeout: 15_000 }).toBe(200);
    const back = await callProxy(cookie, "user.current");
    expect(back.status).toBe(200);
    expect(back.body.result).toMatchObject({ ID: "1" });
  });
}
