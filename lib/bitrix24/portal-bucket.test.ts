import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "@/e2e/emulator";
import { APP, signIn, start } from "@/e2e/emulator/tests/helpers";
import type { PortalSession } from "@/lib/auth";
import { getPortalSession } from "@/lib/auth";
import { requestLocale } from "@/lib/i18n/resolve";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Settings from "@/lib/actions/settings";
import type * as Limiter from "./transport/limiter";
import type * as Client from "./transport/client";
import type * as Setting from "./bucket-setting";
import { RECOVERY_PER_SEC } from "./transport/bucket";

/**
 * The per-portal bucket end to end against the emulator's leaky bucket (Bitrix24's figures, per portal plan): the
 * administrator's setting saved through the server action, read by the database-backed limiter, paced calls through
 * the real REST client. The emulator's clock is frozen and moves only when the app sleeps, on one fake clock shared
 * with the limiter, so pacing is measured exactly and nothing waits for real. The emulator's request log is the
 * evidence of what Bitrix24 would have refused.
 */
vi.mock("@/lib/auth", () => ({ getPortalSession: vi.fn() }));
// The action's refusals are in the request's language; outside a request the test chooses it.
vi.mock("@/lib/i18n/resolve", () => ({ requestLocale: vi.fn(async () => "en") }));

let emu: Emulator;
let database: typeof Db;
let settings: typeof Settings;
let limiter: typeof Limiter;
let client: typeof Client;
let setting: typeof Setting;
let cleanup = () => {};
const tokens = new Map<string, string>();

beforeAll(async () => {
  emu = await start({ rateLimit: "standard", portals: [{ plan: "enterprise" }, { plan: "standard" }] });
  ({ cleanup } = useAppDatabase({
    B24_CLIENT_ID: APP.clientId,
    B24_CLIENT_SECRET: APP.clientSecret,
    B24_OAUTH_SERVER: emu.oauthUrl,
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    // The deployment default is the standard bucket.
    B24_RATE_LIMIT_BURST: "50",
    B24_RATE_LIMIT_PER_SEC: "2",
  }));
  database = await import("@/lib/db");
  settings = await import("@/lib/actions/settings");
  limiter = await import("./transport/limiter");
  client = await import("./transport/client");
  setting = await import("./bucket-setting");
  for (const [i, p] of emu.portals.entries()) {
    tokens.set(p.memberId, (await signIn(emu, i)).access_token);
    await database.db().portal.create({
      data: { memberId: p.memberId, domain: p.host, clientEndpoint: `${p.url}/rest/`, serverEndpoint: `${emu.oauthUrl}/rest/`, installedBy: 1 },
    });
  }
  await emu.control.clock({ freeze: true });
});

afterAll(async () => {
  await database?.db().$disconnect();
  await emu?.stop();
  cleanup();
});

beforeEach(async () => {
  await emu.control.resetLimits();
  await database.db().rateBucket.deleteMany({});
});

const [ENTERPRISE, STANDARD] = [0, 1];
const portal = (i: number) => emu.portals[i]!;

/** One clock for the limiter, the client's retries and the emulator; sleeping is the only thing that moves it. */
function fakeClock() {
  const t = { now: 1_700_000_000_000, moved: 0 };
  return {
    t,
    now: () => t.now,
    sleep: async (ms: number) => {
      t.now += ms;
      t.moved += ms;
      await emu.control.clock({ advanceSec: ms / 1000 });
    },
  };
}

/** The app as it runs: the database-backed limiter on the stored per-portal setting, and the REST client. */
function appFor(i: number, clock: ReturnType<typeof fakeClock>, opts: { adaptive?: boolean } = {}) {
  const l = new limiter.DbRateLimiter(limiter.portalBucketParams().get, clock);
  const memberId = portal(i).memberId;
  const creds = { clientEndpoint: `${portal(i).url}/rest/`, accessToken: tokens.get(memberId)! };
  const port = opts.adaptive === false ? { acquire: l.acquire.bind(l) } : l;
  const c = client.createB24Client({ memberId, tokens: client.fixedTokens(creds), limiter: port, sleep: clock.sleep, now: clock.now, random: () => 0.5 });
  return { limiter: l, client: c, memberId };
}

async function chooseAsAdmin(i: number, choice: string): Promise<void> {
  const admin: PortalSession = { memberId: portal(i).memberId, portalHost: portal(i).host, bitrixUserId: 1, isAdmin: true, name: "Ivan Petrov" };
  vi.mocked(getPortalSession).mockResolvedValue(admin);
  expect(await settings.saveBucketChoice(choice)).toEqual({ ok: true });
}

/** What the portal refused with QUERY_LIMIT_EXCEEDED since `seq`, our app's calls (`scope`) and the other app's apart. */
async function refusals(i: number, seq: number): Promise<{ ours: number; theirs: number; oursSent: number }> {
  const log = (await emu.control.log(seq)).filter((l) => l.host === portal(i).host && l.path.startsWith("/rest/"));
  const refused = (l: { status: number; path: string }) => l.status === 503;
  return {
    ours: log.filter((l) => l.path === "/rest/scope" && refused(l)).length,
    theirs: log.filter((l) => l.path !== "/rest/scope" && refused(l)).length,
    oursSent: log.filter((l) => l.path === "/rest/scope").length,
  };
}

const lastSeq = async () => (await emu.control.log()).at(-1)?.seq ?? 0;

describe("per-portal bucket against the emulated portals", () => {
  it("Enterprise setting on an Enterprise portal: a burst of 200 calls goes through at once with no QUERY_LIMIT_EXCEEDED", async () => {
    await chooseAsAdmin(ENTERPRISE, "enterprise");
    const clock = fakeClock();
    const app = appFor(ENTERPRISE, clock);
    const seq = await lastSeq();
    const answers = await Promise.all(Array.from({ length: 200 }, () => app.client.call("scope")));
    expect(answers).toHaveLength(200);
    expect(await refusals(ENTERPRISE, seq)).toEqual({ ours: 0, theirs: 0, oursSent: 200 });
    // Nobody waited: 200 fits the Enterprise burst (250, less the safety slots).
    expect(clock.t.moved).toBe(0);
  });

  it("the same portal on the deployment default is paced at the standard rate: no refusals, but ~80 s for 200 calls", async () => {
    await chooseAsAdmin(ENTERPRISE, "default");
    const clock = fakeClock();
    const app = appFor(ENTERPRISE, clock);
    const seq = await lastSeq();
    for (let n = 0; n < 200; n++) await app.client.call("scope");
    expect(await refusals(ENTERPRISE, seq)).toEqual({ ours: 0, theirs: 0, oursSent: 200 });
    // 47 at once, then 1.9 a second.
    expect(clock.t.moved).toBeGreaterThanOrEqual(((200 - 47) / 1.9) * 1000 - 1_000);
    expect(clock.t.moved).toBeLessThan(((200 - 47) / 1.9) * 1000 + 5_000);
  });

  it("another app takes part of a standard portal's bucket: one QUERY_LIMIT_EXCEEDED, the app slows down, no more refusals, then recovers", async () => {
    const clock = fakeClock();
    const app = appFor(STANDARD, clock);
    const seq = await lastSeq();
    // Another app on the portal (its requests count in the same bucket) sends 30 at once.
    for (let n = 0; n < 30; n++) await fetch(`${portal(STANDARD).url}/rest/server.time`, { method: "POST" });
    // Ours: 60 calls back to back, as a sync job would. Our bucket says 47 fit; the portal has room for 20.
    for (let n = 0; n < 60; n++) await app.client.call("scope");
    const seen = await refusals(STANDARD, seq);
    // The 21st was refused, retried after the slow-down, and nothing after it was refused: 60 answers from 61 requests.
    expect(seen).toEqual({ ours: 1, theirs: 0, oursSent: 61 });
    // One halving, shared through the RateBucket row; by the end of the 60 calls the quiet period has passed and
    // the share is growing back.
    expect((await database.db().rateBucket.findUniqueOrThrow({ where: { memberId: app.memberId } })).factor).toBe(0.5);
    const share = await app.limiter.factorOf(app.memberId);
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(1);
    // The 40 calls after the refusal went at about half the standard rate: over 30 s, where 1.9/s would take 21 s.
    expect(clock.t.moved).toBeGreaterThan(30_000);

    await clock.sleep(((1 - share) / RECOVERY_PER_SEC) * 1000 + 1);
    expect(await app.limiter.factorOf(app.memberId)).toBe(1);
    // Recovered and drained: the full standard burst again, without waiting and without a refusal.
    const again = await lastSeq();
    const before = clock.t.moved;
    for (let n = 0; n < 47; n++) await app.client.call("scope");
    expect(clock.t.moved).toBe(before);
    expect(await refusals(STANDARD, again)).toEqual({ ours: 0, theirs: 0, oursSent: 47 });
  });

  it("without the slow-down the same scenario keeps hitting the portal's limit", async () => {
    const clock = fakeClock();
    const app = appFor(STANDARD, clock, { adaptive: false });
    const seq = await lastSeq();
    for (let n = 0; n < 30; n++) await fetch(`${portal(STANDARD).url}/rest/server.time`, { method: "POST" });
    for (let n = 0; n < 60; n++) await app.client.call("scope");
    // The retries get every call through in the end, but each of our 47 − 20 "free" slots costs the portal a refusal.
    const seen = await refusals(STANDARD, seq);
    expect(seen.ours).toBeGreaterThan(20);
  });
});

describe("what slows the limiter down", () => {
  it("only QUERY_LIMIT_EXCEEDED: OVERLOAD_LIMIT (also a 503) and OPERATION_TIME_LIMIT leave the share at 1", async () => {
    const clock = fakeClock();
    const app = appFor(STANDARD, clock);
    const seq = await lastSeq();
    for (const [method, status, error] of [["scope", 503, "OVERLOAD_LIMIT"], ["server.time", 429, "OPERATION_TIME_LIMIT"]] as const) {
      await emu.control.addFault({ path: `/rest/${method}`, kind: "status", status, body: { error, error_description: "x" } });
      await app.client.call(method).catch(() => undefined);
    }
    expect((await emu.control.log(seq)).filter((l) => l.fault === "status").map((l) => l.status)).toEqual([503, 429]);
    expect(await app.limiter.factorOf(app.memberId)).toBe(1);
    await emu.control.addFault({ path: "/rest/scope", kind: "status", status: 503, body: { error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" } });
    await app.client.call("scope");
    expect(await app.limiter.factorOf(app.memberId)).toBe(0.5);
  });
});

describe("the administrator's setting (saveBucketChoice)", () => {
  const A = () => portal(ENTERPRISE).memberId;
  const B = () => portal(STANDARD).memberId;
  const as = (memberId: string, isAdmin: boolean) =>
    vi.mocked(getPortalSession).mockResolvedValue({ memberId, portalHost: "x", bitrixUserId: isAdmin ? 1 : 2, isAdmin, name: "x" });
  const stored = async (memberId: string) => database.db().portal.findUniqueOrThrow({ where: { memberId }, select: { bucketBurst: true, bucketRate: true } });

  beforeEach(async () => {
    await database.db().portal.updateMany({ data: { bucketBurst: null, bucketRate: null } });
  });

  it("stores the chosen plan on the admin's own portal only, and the deployment default as nulls", async () => {
    as(A(), true);
    expect(await settings.saveBucketChoice("enterprise")).toEqual({ ok: true });
    expect(await stored(A())).toEqual({ bucketBurst: 250, bucketRate: 5 });
    expect(await stored(B())).toEqual({ bucketBurst: null, bucketRate: null });
    expect(await setting.portalBucket(A())).toMatchObject({ choice: "enterprise", current: { burst: 250, perSec: 5 }, takesEffectSec: 30 });
    expect(await settings.saveBucketChoice("standard")).toEqual({ ok: true });
    expect(await stored(A())).toEqual({ bucketBurst: 50, bucketRate: 2 });
    expect(await settings.saveBucketChoice("default")).toEqual({ ok: true });
    expect(await stored(A())).toEqual({ bucketBurst: null, bucketRate: null });
    expect((await setting.portalBucket(A())).options).toEqual([
      { choice: "default", burst: 50, perSec: 2 },
      { choice: "standard", burst: 50, perSec: 2 },
      { choice: "enterprise", burst: 250, perSec: 5 },
    ]);
  });

  it("refuses a non-administrator, no session, and anything but the three choices; nothing is written", async () => {
    as(A(), false);
    expect(await settings.saveBucketChoice("enterprise")).toEqual({ ok: false, error: "Only a Bitrix24 administrator can change this." });
    vi.mocked(requestLocale).mockResolvedValueOnce("ru");
    expect(await settings.saveBucketChoice("enterprise")).toEqual({ ok: false, error: "Изменить это может только администратор Битрикс24." });
    vi.mocked(getPortalSession).mockResolvedValue(null);
    expect((await settings.saveBucketChoice("enterprise")).ok).toBe(false);
    as(A(), true);
    for (const bad of ["Enterprise", "custom", "__proto__", "", null, 250, { burst: 1000, perSec: 100 }, ["enterprise"]]) {
      expect(await settings.saveBucketChoice(bad)).toEqual({ ok: false, error: "Choose one of the listed buckets." });
    }
    expect(await stored(A())).toEqual({ bucketBurst: null, bucketRate: null });
    // An admin whose portal has no row (a forged or stale session) writes nothing anywhere.
    as("f".repeat(32), true);
    expect((await settings.saveBucketChoice("enterprise")).ok).toBe(false);
    expect(await database.db().portal.count({ where: { bucketBurst: { not: null } } })).toBe(0);
  });

  it("shows the share the app uses now: 1, and less after QUERY_LIMIT_EXCEEDED", async () => {
    expect((await setting.portalBucket(B())).share).toBe(1);
    await limiter.sharedLimiter().penalize(B());
    expect((await setting.portalBucket(B())).share).toBe(0.5);
  });

  it("numbers set outside the app show as a custom bucket", async () => {
    await database.db().portal.update({ where: { memberId: B() }, data: { bucketBurst: 100, bucketRate: 3 } });
    expect(await setting.portalBucket(B())).toMatchObject({ choice: "custom", current: { burst: 100, perSec: 3 } });
  });
});
