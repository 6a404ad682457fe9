import Database from "better-sqlite3";
import pg from "pg";
import { decryptToken } from "../lib/bitrix24/tokens/crypto";
import { tokenBinding } from "../lib/bitrix24/tokens/token-binding";
import { e2e } from "./env";

/**
 * Read-only look into the app's database, the way an attacker with a dump would see it. Tests use it to prove
 * what was (or was not) stored, and that no token is stored in plaintext.
 */
export class DbProbe {
  private async query<T>(sql: string): Promise<T[]> {
    if (e2e.flavour === "sqlite") {
      const db = new Database(e2e.databaseUrl.slice("file:".length), { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: e2e.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async counts(): Promise<{ portals: number; users: number; tokenPairs: number }> {
    const [row] = await this.query<{ p: number | string; u: number | string; t: number | string }>(
      `SELECT (SELECT COUNT(*) FROM "Portal") AS p, (SELECT COUNT(*) FROM "User") AS u, (SELECT COUNT(*) FROM "TokenPair") AS t`,
    );
    return { portals: Number(row!.p), users: Number(row!.u), tokenPairs: Number(row!.t) };
  }

  tokenRows() {
    return this.query<{ memberId: string; kind: string; bitrixUserId: number; accessToken: string; refreshToken: string }>(
      `SELECT "memberId", "kind", "bitrixUserId", "accessToken", "refreshToken" FROM "TokenPair"`,
    );
  }

  async pair(memberId: string, bitrixUserId: number, kind = "user") {
    const rows = await this.query<{ version: number; status: string; accessToken: string; refreshToken: string; refreshFailures: number }>(
      `SELECT "version", "status", "accessToken", "refreshToken", "refreshFailures" FROM "TokenPair" WHERE "memberId" = '${memberId.replace(/[^a-z0-9]/gi, "")}' AND "kind" = '${kind === "portal" ? "portal" : "user"}' AND "bitrixUserId" = ${Math.trunc(bitrixUserId)}`,
    );
    if (!rows[0]) return null;
    const owner = { memberId, kind: kind as "user" | "portal", bitrixUserId };
    const ring = { keys: e2e.encryptionKeys.split(",").map((k) => ({ kid: k.split(":")[0]!, key: Buffer.from(k.split(":")[1]!, "base64") })) };
    const row = rows[0];
    return {
      version: Number(row.version),
      status: row.status,
      refreshFailures: Number(row.refreshFailures),
      accessToken: decryptToken(row.accessToken, tokenBinding(owner, "access"), ring),
      refreshToken: decryptToken(row.refreshToken, tokenBinding(owner, "refresh"), ring),
    };
  }

  /** The portal's lifecycle columns and how many token rows it has. */
  async portal(memberId: string): Promise<{ status: string; statusReason: string | null; installedBy: number | null; tokenPairs: number; users: number } | null> {
    const m = memberId.replace(/[^a-z0-9]/gi, "");
    const [row] = await this.query<{ status: string; statusReason: string | null; installedBy: number | string | null; t: number | string; u: number | string }>(
      `SELECT "status", "statusReason", "installedBy", (SELECT COUNT(*) FROM "TokenPair" WHERE "memberId" = '${m}') AS t, (SELECT COUNT(*) FROM "User" WHERE "memberId" = '${m}') AS u FROM "Portal" WHERE "memberId" = '${m}'`,
    );
    return row
      ? { status: row.status, statusReason: row.statusReason, installedBy: row.installedBy === null ? null : Number(row.installedBy), tokenPairs: Number(row.t), users: Number(row.u) }
      : null;
  }

  /** The portal's own request bucket (null = the deployment default). */
  async bucket(memberId: string): Promise<{ burst: number | null; perSec: number | null }> {
    const [row] = await this.query<{ bucketBurst: number | string | null; bucketRate: number | string | null }>(
      `SELECT "bucketBurst", "bucketRate" FROM "Portal" WHERE "memberId" = '${memberId.replace(/[^a-z0-9]/gi, "")}'`,
    );
    return { burst: row?.bucketBurst == null ? null : Number(row.bucketBurst), perSec: row?.bucketRate == null ? null : Number(row.bucketRate) };
  }

  /** Every row of every app table as one string, for "this value appears nowhere" assertions. */
  /** What the app recorded as the portal's last event (its last step after answering a delivery). */
  async lastEvent(memberId: string): Promise<{ name: string | null; at: number | null }> {
    const [row] = await this.query<{ lastEventName: string | null; lastEventAt: string | number | Date | null }>(
      `SELECT "lastEventName", "lastEventAt" FROM "Portal" WHERE "memberId" = '${memberId.replace(/[^a-z0-9]/gi, "")}'`,
    );
    const at = row?.lastEventAt;
    return { name: row?.lastEventName ?? null, at: at === null || at === undefined ? null : new Date(typeof at === "string" && /^\d+$/.test(at) ? Number(at) : at).getTime() };
  }

  /** Where the app will send the portal's tokens: its REST address and the OAuth server (region) that issued them. */
  async portalEndpoints(memberId: string): Promise<{ domain: string; clientEndpoint: string; serverEndpoint: string; oauthServer: string | null } | null> {
    const [row] = await this.query<{ domain: string; clientEndpoint: string; serverEndpoint: string; oauthServer: string | null }>(
      `SELECT "domain", "clientEndpoint", "serverEndpoint", "oauthServer" FROM "Portal" WHERE "memberId" = '${memberId.replace(/[^a-z0-9]/gi, "")}'`,
    );
    return row ?? null;
  }

  /** The stored languages: the person's (LANG, the switcher) and the portal's (ONAPPINSTALL/ONAPPUPDATE). */
  async languages(memberId: string, bitrixUserId: number): Promise<{ user: string | null; portal: string | null }> {
    const m = memberId.replace(/[^a-z0-9]/gi, "");
    const [row] = await this.query<{ u: string | null; p: string | null }>(
      `SELECT (SELECT "language" FROM "User" WHERE "memberId" = '${m}' AND "bitrixUserId" = ${Math.trunc(bitrixUserId)}) AS u, (SELECT "language" FROM "Portal" WHERE "memberId" = '${m}') AS p`,
    );
    return { user: row?.u ?? null, portal: row?.p ?? null };
  }

  async dump(): Promise<string> {
    const tables = ["Portal", "User", "TokenPair"];
    const parts = await Promise.all(tables.map((t) => this.query<Record<string, unknown>>(`SELECT * FROM "${t}"`)));
    return JSON.stringify(parts);
  }
}
