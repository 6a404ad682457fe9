import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import { appTokenMatches, sealAppToken } from "../tokens/app-token";
import { envelopeKid, type KeyRing } from "../tokens/crypto";
import type * as Refresh from "../tokens/refresh";
import type * as TokenStore from "./token-store";

/**
 * Token rows in a real (temporary SQLite) database: nothing stored in plaintext, rotation to a new key, and rows
 * whose ciphertexts were swapped between tenants fail closed.
 */
const k1 = { kid: "k1", key: randomBytes(32) };
const k2 = { kid: "k2", key: randomBytes(32) };
const MEMBERS = ["aaaa0000aaaa0000aaaa0000aaaa0000", "bbbb0000bbbb0000bbbb0000bbbb0000"];

type StoreModule = typeof TokenStore;
type RefreshModule = typeof Refresh;
type DbModule = typeof Db;
let store: StoreModule;
let refresh: RefreshModule;
let database: DbModule;

let cleanup = () => {};

beforeAll(async () => {
  ({ cleanup } = useAppDatabase({ TOKEN_ENCRYPTION_KEYS: `k1:${k1.key.toString("base64")}` }));
  database = await import("@/lib/db");
  store = await import("./token-store");
  refresh = await import("../tokens/refresh");
  for (const [i, memberId] of MEMBERS.entries()) {
    await database.db().portal.create({ data: { memberId, domain: `p${i}.bitrix24.com`, clientEndpoint: `https://p${i}.bitrix24.com/rest/`, serverEndpoint: "https://oauth.bitrix.info/rest/" } });
    await database.db().portal.update({ where: { memberId }, data: { applicationToken: sealAppToken(memberId, `app-token-${i}`, { keys: [k1] }) } });
    await store.storeIssuedPair({ memberId, kind: "user", bitrixUserId: 1, accessToken: `access-canary-${i}`, refreshToken: `refresh-canary-${i}`, expiresAt: new Date(Date.now() + 3_600_000) });
  }
});

afterAll(async () => {
  await database?.db().$disconnect();
  cleanup();
});

describe("token store", () => {
  it("stores envelopes only: a raw dump contains no token, every value carries a key id [#31]", async () => {
    const rows = await database.db().tokenPair.findMany();
    const dump = JSON.stringify(rows);
    for (const i of [0, 1]) {
      expect(dump).not.toContain(`access-canary-${i}`);
      expect(dump).not.toContain(`refresh-canary-${i}`);
    }
    for (const r of rows) expect([envelopeKid(r.accessToken), envelopeKid(r.refreshToken)]).toEqual(["k1", "k1"]);
    expect(await store.loadPair({ memberId: MEMBERS[0]!, kind: "user", bitrixUserId: 1 })).toMatchObject({ accessToken: "access-canary-0", refreshToken: "refresh-canary-0" });
  });

  it("the joined read behind every REST call returns what Prisma's relation read does, for that tenant only", async () => {
    for (const [i, memberId] of MEMBERS.entries()) {
      const owner = { memberId, kind: "user" as const, bitrixUserId: 1 };
      const viaPrisma = await database.db().tokenPair.findUniqueOrThrow({
        where: { memberId_kind_bitrixUserId: owner },
        include: { portal: { select: { status: true, clientEndpoint: true } } },
      });
      const joined = await store.loadPairWithPortal(owner);
      expect(joined).toEqual({
        id: viaPrisma.id, memberId, kind: "user", bitrixUserId: 1, accessToken: viaPrisma.accessToken, refreshToken: viaPrisma.refreshToken,
        expiresAt: viaPrisma.expiresAt, version: viaPrisma.version, status: "active", refreshFailures: 0, updatedAt: viaPrisma.updatedAt,
        portal: { status: "active", clientEndpoint: `https://p${i}.bitrix24.com/rest/` },
      });
      expect(store.rowToPair(joined!, { keys: [k1] }).accessToken).toBe(`access-canary-${i}`);
    }
    expect(await store.loadPairWithPortal({ memberId: MEMBERS[0]!, kind: "user", bitrixUserId: 2 })).toBeNull();
    expect(await store.loadPairWithPortal({ memberId: "cccc0000cccc0000cccc0000cccc0000", kind: "user", bitrixUserId: 1 })).toBeNull();
  });

  it("rotation: rows written with k1 read under {k2, k1}; after tokens:rotate none references k1 and k2 alone reads all [#33]", async () => {
    const rotated: KeyRing = { keys: [k2, k1] };
    const report = await store.reencryptAll(rotated);
    expect(report).toEqual({ scanned: 4, rewritten: 4, skipped: 0, unreadable: 0 });
    const portals = await database.db().portal.findMany();
    for (const p of portals) {
      expect(envelopeKid(p.applicationToken!)).toBe("k2");
      expect(appTokenMatches(p.memberId, p.applicationToken, `app-token-${MEMBERS.indexOf(p.memberId)}`, { keys: [k2] })).toBe(true);
    }
    const rows = await database.db().tokenPair.findMany();
    for (const r of rows) expect([envelopeKid(r.accessToken), envelopeKid(r.refreshToken)]).toEqual(["k2", "k2"]);
    for (const r of rows) expect(store.rowToPair(r, { keys: [k2] }).refreshToken).toMatch(/^refresh-canary-\d$/);
    expect(rows.map((r) => store.rowToPair(r, { keys: [k2] }).accessToken).sort()).toEqual(["access-canary-0", "access-canary-1"]);
    expect(await store.reencryptAll(rotated)).toMatchObject({ rewritten: 0, unreadable: 0 });
  });

  it("ciphertexts swapped between two tenants decrypt for neither, and both connections go to needs_reauth [#32]", async () => {
    // Back to k1 so the process's configured ring (k1 only) is the one in use.
    await store.reencryptAll({ keys: [k1, k2] });
    const [a, b] = await Promise.all(MEMBERS.map((m) => database.db().tokenPair.findFirstOrThrow({ where: { memberId: m } })));
    await database.db().tokenPair.update({ where: { id: a!.id }, data: { refreshToken: b!.refreshToken, accessToken: b!.accessToken } });
    await database.db().tokenPair.update({ where: { id: b!.id }, data: { refreshToken: a!.refreshToken, accessToken: a!.accessToken } });
    for (const memberId of MEMBERS) {
      const source = new refresh.DbTokenSource({ memberId, kind: "user", bitrixUserId: 1 });
      await expect(source.current()).rejects.toMatchObject({ code: "needs_reauth" });
      expect((await database.db().tokenPair.findFirstOrThrow({ where: { memberId } })).status).toBe("needs_reauth");
      // Dead pairs fail fast on the next call, still without any network use (the OAuth server URL is unreachable).
      await expect(source.current()).rejects.toMatchObject({ code: "needs_reauth" });
    }
  });
});
