import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Emulator, LogEntry } from "@/e2e/emulator";
import { APP, signIn, start } from "@/e2e/emulator/tests/helpers";
import type * as Db from "@/lib/db";
import type * as Errors from "@/lib/errors";
import { useAppDatabase } from "@/test/app-db";
import type * as Refresh from "./refresh";
import type * as TokenStore from "../store/token-store";

/**
 * Checklist item 37 with a real kill: a process refreshes a pair against the emulator's OAuth server and is killed
 * (SIGKILL) after the server rotated the pair (the old refresh token is spent) but before the process committed the
 * new pair. The test holds SQLite's write lock (BEGIN IMMEDIATE on the same file) from the moment the child took its
 * lease, so the child's commit cannot land; it sees the grant in the emulator's log, kills the child, releases the
 * lock. Then the next caller: waits out the dead process's lease (no second grant while it is held), takes it over
 * once, spends the stored (already used) refresh token in exactly one more grant, which the OAuth server refuses, marks
 * the pair needs_reauth and surfaces "Sign in again"; later calls fail at once without any request (no loop).
 */
const owner = { memberId: "", kind: "user" as const, bitrixUserId: 1 };
let emu: Emulator;
let database: typeof Db;
let store: typeof TokenStore;
let refresh: typeof Refresh;
let errors: typeof Errors;
let dbFile = "";
let cleanup = () => {};
const children: ChildProcess[] = [];

beforeAll(async () => {
  emu = await start({ portals: [{}] });
  ({ cleanup } = useAppDatabase({
    B24_CLIENT_ID: APP.clientId,
    B24_CLIENT_SECRET: APP.clientSecret,
    B24_OAUTH_SERVER: emu.oauthUrl,
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  }));
  dbFile = process.env.DATABASE_URL!.slice("file:".length);
  database = await import("@/lib/db");
  store = await import("../store/token-store");
  refresh = await import("./refresh");
  errors = await import("@/lib/errors");
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  vi.restoreAllMocks();
  await database?.db().$disconnect();
  await emu?.stop();
  cleanup();
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isRefreshGrant = (l: LogEntry) => l.server === "oauth" && l.path.startsWith("/oauth/token") && new URLSearchParams(l.body).get("grant_type") === "refresh_token";
const grants = async () => (await emu.control.log()).filter(isRefreshGrant);

describe("a refresh killed between the grant and its commit", () => {
  it("a process killed after the OAuth server rotated the pair, before its commit: one more grant at most, then needs_reauth and Sign in again, no loop, the lease expires and is taken once [#37]", async () => {
    // A signed-in user's pair, stored as the app stores it, with its access token expired (the next call refreshes).
    const portal = emu.portals[0]!;
    owner.memberId = portal.memberId;
    const issued = await signIn(emu);
    const endpoint = String(issued.client_endpoint);
    await database.db().portal.create({ data: { memberId: portal.memberId, domain: new URL(endpoint).host, clientEndpoint: endpoint, serverEndpoint: `${emu.oauthUrl}/rest/` } });
    await store.storeIssuedPair({ ...owner, accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: new Date(Date.now() - 1000) });
    await emu.control.expireTokens();
    await emu.control.clearLog();
    // The OAuth answer takes 1.5 s: time to take the write lock between the child's lease and its grant.
    await emu.control.setLatency(1_500);

    const lock = new Database(dbFile, { timeout: 5_000 });
    // node itself with tsx as a loader (not tsx's CLI, which runs the script in a grandchild a kill would miss).
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "test/refresh-child.ts"], {
      env: { ...process.env, REFRESH_CHILD_OWNER: JSON.stringify(owner) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let childOut = "";
    child.stdout!.on("data", (c: Buffer) => (childOut += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (childOut += c.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once("exit", (code, signal) => r(signal ?? code)));
    let lease: { leaseOwner: string; leaseUntil: number; version: number };
    try {
      // 1. The child took the lease (its write committed): hold the write lock from now on.
      lease = await until("the child's lease", () => {
        const r = lock.prepare("SELECT leaseOwner, leaseUntil, version FROM TokenPair WHERE memberId = ?").get(owner.memberId) as typeof lease | undefined;
        return r?.leaseOwner ? r : undefined;
      }, 60_000);
      lock.exec("BEGIN IMMEDIATE");
      // 2. The OAuth server granted the new pair (the old refresh token is now spent)...
      const granted = await until("the refresh grant", async () => (await grants()).find((l) => l.status === 200));
      expect(granted).toBeDefined();
      // ...and the answer is on its way to the child, whose commit cannot pass the lock. Kill it now: whether the answer
      // has reached it yet or not, the process dies between the grant and its commit.
      expect(child.exitCode, childOut).toBeNull();
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
    } finally {
      if (lock.inTransaction) lock.exec("ROLLBACK");
      lock.close();
      await emu.control.setLatency(0);
    }
    expect(childOut).not.toContain('"ok"');
    // The process is gone (no tsx grandchild left running), so nothing can land after the lock is released.
    expect(() => process.kill(child.pid!, 0)).toThrow();

    // The commit never happened: the row still holds the spent pair, at its old version, under the dead lease.
    const dead = await database.db().tokenPair.findFirstOrThrow({ where: { memberId: owner.memberId } });
    expect(dead).toMatchObject({ version: lease.version, status: "active", leaseOwner: lease.leaseOwner });
    expect(dead.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect((await store.loadPair(owner))?.refreshToken).toBe(issued.refresh_token);
    // The OAuth server rotated it: the refresh token the app holds is used up there.
    expect((await grants()).map((g) => g.status)).toEqual([200]);

    // 3. The next caller, in this process. Time is moved by its waits (Date.now), not slept.
    let offsetMs = 0;
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => realNow() + offsetMs);
    const waitsBeforeExpiry: number[] = [];
    let waits = 0;
    const sleep = async () => {
      waits++;
      // While the dead process's lease holds, nobody sends a grant (the lease is not double-used).
      if (Date.now() <= dead.leaseUntil!.getTime()) waitsBeforeExpiry.push((await grants()).length);
      offsetMs += 2_000;
    };
    const source = new refresh.DbTokenSource(owner, { sleep });
    const err = await source.current().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "needs_reauth" });
    expect(waits).toBeGreaterThan(0);
    expect(waitsBeforeExpiry.length).toBeGreaterThan(0);
    expect(new Set(waitsBeforeExpiry)).toEqual(new Set([1]));
    // Exactly one more grant, after the lease expired: refused (the token was spent by the dead process's grant).
    const after = await grants();
    expect(after.map((g) => g.status)).toEqual([200, 400]);
    // It went out only once the lease had expired: the caller's clock had passed the dead lease's end.
    expect(Date.now()).toBeGreaterThan(dead.leaseUntil!.getTime());
    expect(await database.db().tokenPair.findFirstOrThrow({ where: { memberId: owner.memberId } })).toMatchObject({
      status: "needs_reauth",
      version: lease.version,
      leaseOwner: null,
      leaseUntil: null,
    });

    // 4. Never loops: later calls (current and renew) fail at once, without a request to the OAuth server.
    for (let i = 0; i < 5; i++) await expect(source.current()).rejects.toMatchObject({ code: "needs_reauth" });
    await expect(new refresh.DbTokenSource(owner).renew({ clientEndpoint: "", accessToken: issued.access_token })).rejects.toMatchObject({ code: "needs_reauth" });
    expect((await grants()).length).toBe(2);
    vi.restoreAllMocks();

    // 5. What the person sees: the proxy's answer (401 needs_reauth with a "Sign in again" message) and the UI's
    // prompt for it, a "Sign in again" button (components/call-error.tsx).
    const answer = errors.toErrorBody(err);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: "needs_reauth", message: expect.stringMatching(/sign in again/i) });
    const { CallError } = await import("@/components/call-error");
    const { B24CallError } = await import("@/components/b24-client");
    const { NextIntlClientProvider } = await import("next-intl");
    const { messagesFor } = await import("@/lib/i18n/messages");
    const html = renderToStaticMarkup(
      createElement(
        NextIntlClientProvider,
        { locale: "en", timeZone: "UTC", messages: messagesFor("en") } as ComponentProps<typeof NextIntlClientProvider>,
        createElement(CallError, {
          title: "Could not load your deals",
          error: new B24CallError(answer.body.error, answer.body.message, answer.status),
          portal: { host: portal.host, origin: null },
          onRetry: () => {},
        }),
      ),
    );
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/<button[^>]*>Sign in again<\/button>/);
    expect(html).not.toContain("Try again");
  }, 90_000);
});
