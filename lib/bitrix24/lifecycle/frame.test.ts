import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "@/e2e/emulator";
import type * as Db from "@/lib/db";
import { useAppDatabase } from "@/test/app-db";
import type * as Frame from "./frame";
import type * as Index from "../clients";

/**
 * The app and install URLs against the emulator's real launcher form: forged posts,
 * posted hosts that must never be called, application_token checks, admin-only install, and the session claims.
 */
const APP = { clientId: "local.frame.test", clientSecret: "frame-test-secret-0123456789" };
let emu: Emulator;
let trap: Server;
let trapHits = 0;
let trapHost = "";
let database: typeof Db;
let frame: typeof Frame;
let index: typeof Index;
let cleanup = () => {};

type Form = { action: string; fields: Record<string, string> };

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** What the portal's launcher page would auto-submit into the app's iframe for this user. */
async function launcherForm(portalUrl: string, user: number): Promise<Form> {
  const html = await (await fetch(`${portalUrl}/marketplace/app/?user=${user}`)).text();
  const action = /<form id="app-form"[^>]* action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no launcher form: ${html.slice(0, 300)}`);
  const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)]));
  return { action: unescape(action), fields };
}

function post(form: Form, over: { query?: Record<string, string>; fields?: Record<string, string>; origin?: string | null; body?: string } = {}): Request {
  const url = new URL(form.action);
  for (const [k, v] of Object.entries(over.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const origin = over.origin === undefined ? `http://${url.searchParams.get("DOMAIN")}` : over.origin;
  if (origin) headers.origin = origin;
  return new Request(url, { method: "POST", headers, body: over.body ?? new URLSearchParams({ ...form.fields, ...over.fields }).toString() });
}

async function sessionClaims(res: Response) {
  const { decode } = await import("next-auth/jwt");
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!cookie) return null;
  return decode({ token: decodeURIComponent(cookie.split(";")[0]!.split("=")[1]!), secret: process.env.NEXTAUTH_SECRET! });
}

const portalA = () => emu.portals[0]!;
const portalB = () => emu.portals[1]!;
const pairs = (memberId: string) => database.db().tokenPair.findMany({ where: { memberId }, select: { kind: true, bitrixUserId: true } });
async function portalRequestsSince(seq: number, host: string) {
  return (await emu.control.log(seq)).filter((r) => r.server === "portal" && r.host === host);
}
const lastSeq = async () => (await emu.control.log()).at(-1)?.seq ?? 0;

beforeAll(async () => {
  trap = createServer((_req, res) => {
    trapHits++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
  trapHost = `127.0.0.1:${(trap.address() as AddressInfo).port}`;
  emu = await startEmulator({ rateLimit: "off", app: { ...APP, appUrl: "http://127.0.0.1:3999" }, portals: [{}, { installFinished: false }] });
  ({ cleanup } = useAppDatabase({
    B24_CLIENT_ID: APP.clientId,
    B24_CLIENT_SECRET: APP.clientSecret,
    B24_OAUTH_SERVER: emu.oauthUrl,
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
  }));
  database = await import("@/lib/db");
  frame = await import("./frame");
  index = await import("../clients");
});

afterAll(async () => {
  await database?.db().$disconnect();
  await emu?.stop();
  await new Promise<void>((r) => trap.close(() => r()));
  cleanup();
});

describe("install URL", () => {
  it("refuses a non-admin with 403 and stores nothing", async () => {
    const form = await launcherForm(portalA().url, 2);
    const res = await frame.installApp(post(form));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("administrator");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await database.db().portal.count({ where: { memberId: portalA().memberId } })).toBe(0);
    expect(await pairs(portalA().memberId)).toEqual([]);
  });

  it("stores the portal and the installer's pair as the portal's, and starts an admin session", async () => {
    const form = await launcherForm(portalB().url, 1);
    expect(new URL(form.action).pathname).toBe("/api/b24/install");
    const res = await frame.installApp(post(form));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/install?sid=${new URL(form.action).searchParams.get("APP_SID")}`);
    expect(res.headers.get("content-security-policy")).toBe(`frame-ancestors ${portalB().url}`);
    expect(await sessionClaims(res)).toMatchObject({ memberId: portalB().memberId, portalHost: portalB().host, bitrixUserId: 1, isAdmin: true, name: "Ivan Petrov" });
    const portal = await database.db().portal.findUniqueOrThrow({ where: { memberId: portalB().memberId } });
    expect(portal).toMatchObject({ status: "active", installedBy: 1, clientEndpoint: `${portalB().url}/rest/` });
    expect(portal.applicationToken).toMatch(/^v1\./);
    expect(await pairs(portalB().memberId)).toEqual([{ kind: "portal", bitrixUserId: 1 }]);
  });
});

describe("app URL", () => {
  it("explains when the portal is not set up, without a session", async () => {
    const res = await frame.openApp(post(await launcherForm(portalA().url, 2)));
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("not set up");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("words its error page in the language the portal posted (LANG)", async () => {
    const html = await (await frame.openApp(post(await launcherForm(portalA().url, 2), { query: { LANG: "de" } }))).text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain("Die App ist nicht installiert");
  });

  it("gives a non-admin their own session and stores their own pair", async () => {
    expect((await frame.installApp(post(await launcherForm(portalA().url, 1)))).status).toBe(303);
    const form = await launcherForm(portalA().url, 2);
    const res = await frame.openApp(post(form));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(res.headers.get("content-security-policy")).toBe(`frame-ancestors ${portalA().url}`);
    expect(await sessionClaims(res)).toMatchObject({ memberId: portalA().memberId, bitrixUserId: 2, isAdmin: false, name: "Maria Ivanova" });
    expect(await pairs(portalA().memberId)).toEqual(expect.arrayContaining([{ kind: "portal", bitrixUserId: 1 }, { kind: "user", bitrixUserId: 2 }]));
  });

  it("refuses AUTH_ID of portal A posted with DOMAIN and member_id of B: 403, nothing stored, no request to B", async () => {
    await database.db().tokenPair.deleteMany({ where: { kind: "user" } });
    const form = await launcherForm(portalA().url, 2);
    const since = await lastSeq();
    const res = await frame.openApp(post(form, { query: { DOMAIN: portalB().host }, fields: { member_id: portalB().memberId } }));
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await database.db().tokenPair.count({ where: { kind: "user" } })).toBe(0);
    expect(await portalRequestsSince(since, portalB().host)).toEqual([]);
  });

  it("answers private, no-store: the 303 that carries the session cookie and the refusal page alike [#16]", async () => {
    const opened = await frame.openApp(post(await launcherForm(portalA().url, 1)));
    expect(opened.status).toBe(303);
    expect(opened.headers.get("cache-control")).toBe("private, no-store");
    const refused = await frame.openApp(post(await launcherForm(portalA().url, 1), { origin: "https://evil.example" }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("cache-control")).toBe("private, no-store");
  });

  it("never calls the posted SERVER_ENDPOINT or DOMAIN", async () => {
    const form = await launcherForm(portalA().url, 2);
    const forged = await frame.openApp(post(form, { query: { DOMAIN: trapHost }, fields: { SERVER_ENDPOINT: `http://${trapHost}/rest/` }, origin: `http://${trapHost}` }));
    expect(forged.status).toBe(403);
    const genuine = await frame.openApp(post(await launcherForm(portalA().url, 2), { fields: { SERVER_ENDPOINT: `http://${trapHost}/rest/` } }));
    expect(genuine.status).toBe(303);
    expect(trapHits).toBe(0);
  });

  it("refuses a known APPLICATION_TOKEN that does not match (one character off)", async () => {
    await database.db().tokenPair.deleteMany({ where: { kind: "user" } });
    const form = await launcherForm(portalA().url, 2);
    const token = form.fields.APPLICATION_TOKEN!;
    const wrong = token.slice(0, -1) + (token.endsWith("a") ? "b" : "a");
    const res = await frame.openApp(post(form, { fields: { APPLICATION_TOKEN: wrong } }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("application token");
    expect(await database.db().tokenPair.count({ where: { kind: "user" } })).toBe(0);
  });

  it("refuses a form submitted by another site (login CSRF) and malformed posts", async () => {
    const form = await launcherForm(portalA().url, 2);
    expect((await frame.openApp(post(form, { origin: "https://evil.example" }))).status).toBe(403);
    const dup = `${new URLSearchParams(form.fields).toString()}&AUTH_ID=other-token-value`;
    expect((await frame.openApp(post(form, { body: dup }))).status).toBe(400);
    expect((await frame.openApp(post(form, { body: `AUTH_ID=${"x".repeat(40_000)}` }))).status).toBe(413);
    expect((await frame.openApp(post(form, { fields: { AUTH_ID: "not-a-real-token-123" } }))).status).toBe(401);
  });

  it("shows why when the portal was uninstalled", async () => {
    await database.db().portal.update({ where: { memberId: portalA().memberId }, data: { status: "uninstalled" } });
    const res = await frame.openApp(post(await launcherForm(portalA().url, 2)));
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("uninstalled");
    await database.db().portal.update({ where: { memberId: portalA().memberId }, data: { status: "active" } });
  });

  it("answers GET with a page pointing to Bitrix24", async () => {
    const res = frame.openFromPortalPage(new Request("http://127.0.0.1:3999/api/b24/app"));
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.text()).toContain("Open this app from Bitrix24");
  });
});

describe("who acts for a signed-in person", () => {
  const session = (bitrixUserId: number, isAdmin: boolean) => ({ memberId: portalB().memberId, portalHost: portalB().host, bitrixUserId, isAdmin, name: "x" });
  it("the installer without a pair of their own acts with the portal pair", async () => {
    expect(await index.actingOwner(session(1, true))).toEqual({ memberId: portalB().memberId, kind: "portal", bitrixUserId: 1 });
  });
  it("anyone else, admin or not, acts only with their own pair [#24]", async () => {
    expect(await index.actingOwner(session(2, false))).toMatchObject({ kind: "user", bitrixUserId: 2 });
    expect(await index.actingOwner(session(3, true))).toMatchObject({ kind: "user", bitrixUserId: 3 });
    expect(await index.actingOwner(session(1, false))).toMatchObject({ kind: "user", bitrixUserId: 1 });
  });
  it("the installer acts with their own pair once they have one", async () => {
    await emu.control.finishInstall(portalB().memberId);
    expect((await frame.openApp(post(await launcherForm(portalB().url, 1)))).status).toBe(303);
    expect(await index.actingOwner(session(1, true))).toMatchObject({ kind: "user", bitrixUserId: 1 });
  });
});

describe("ways back through the frame (lifecycle.ts)", () => {
  const installer = () => database.db().tokenPair.findFirstOrThrow({ where: { memberId: portalA().memberId, kind: "portal" } });

  it("a non-admin's open never heals a dead installer pair; an admin's open re-seeds it", async () => {
    const dead = await database.db().tokenPair.update({ where: { id: (await installer()).id }, data: { status: "needs_reauth", lastError: "invalid_grant" } });
    expect((await frame.openApp(post(await launcherForm(portalA().url, 2)))).status).toBe(303);
    expect(await installer()).toMatchObject({ status: "needs_reauth", version: dead.version });

    const form = await launcherForm(portalA().url, 1);
    expect((await frame.openApp(post(form))).status).toBe(303);
    expect(await installer()).toMatchObject({ status: "active", bitrixUserId: 1, version: dead.version + 1, lastError: null });
    expect((await database.db().portal.findUniqueOrThrow({ where: { memberId: portalA().memberId } })).installedBy).toBe(1);
    // Background work acts with the new pair at once.
    const out = await index.clientFor({ memberId: portalA().memberId, kind: "portal", bitrixUserId: 1 }).call<{ ID: string }>("user.current");
    expect(out.result.ID).toBe("1");
    // With a healthy installer pair the next admin open stores the admin's own pair again.
    expect((await frame.openApp(post(await launcherForm(portalA().url, 1)))).status).toBe(303);
    expect(await pairs(portalA().memberId)).toEqual(expect.arrayContaining([{ kind: "portal", bitrixUserId: 1 }, { kind: "user", bitrixUserId: 1 }]));
  });

  it("a verified open lifts a block: the OAuth server vouched for the token and the portal answered", async () => {
    await database.db().portal.update({ where: { memberId: portalA().memberId }, data: { status: "blocked", statusReason: "PAYMENT_REQUIRED" } });
    expect((await frame.openApp(post(await launcherForm(portalA().url, 2)))).status).toBe(303);
    expect(await database.db().portal.findUniqueOrThrow({ where: { memberId: portalA().memberId } })).toMatchObject({ status: "active", statusReason: null });
  });
});
