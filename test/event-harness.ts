import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type Emulator } from "@/e2e/emulator";
import type { PortalSeed } from "@/e2e/emulator/types";
import type * as Db from "@/lib/db";
import type * as Events from "@/lib/bitrix24/lifecycle/events";
import type * as Robots from "@/lib/bitrix24/lifecycle/robots";
import manifest from "@/bitrix24.app";
// Aliased: it is a plain setup function, not a React hook, and runs inside an async setup here.
import { useAppDatabase as prepareAppDatabase } from "./app-db";

/**
 * The events route as Bitrix24 sees it: a real HTTP server in front of `handleEventDelivery` (and of
 * `handleRobotCall` at /api/b24/robot), a real emulator as portal and OAuth server granting the manifest's scopes
 * (it delivers ONAPPINSTALL/ONAPPUNINSTALL and robot calls over HTTP), and a temp SQLite database.
 * `defer` plays next/server's `after()`: tasks start once the response is written; `settle()` waits for them.
 */
export const CLIENT = { clientId: "local.events.test.0001", clientSecret: "events-client-secret-CANARY" };

export interface Harness {
  emu: Emulator;
  appUrl: string;
  eventsUrl: string;
  db: typeof Db.db;
  events: typeof Events;
  defer: Events.Defer;
  settle(): Promise<void>;
  /** Calls the handler directly with a form body (or any body and content type). */
  post(body: BodyInit, type?: string): Promise<{ status: number; body: { error?: string; status?: string }; ms: number }>;
  /** Emulator request-log position, for "zero traffic" assertions. */
  lastSeq(): Promise<number>;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
}

/** `seed` applies to every portal, e.g. `{ deals: 10 }` for robot runs. */
export async function startHarness(portals = 2, seed: PortalSeed = {}): Promise<Harness> {
  const pending: Promise<void>[] = [];
  const defer: Events.Defer = (task) => {
    pending.push(new Promise<void>((r) => setImmediate(r)).then(task));
  };
  const loaded: { events?: typeof Events; robots?: typeof Robots } = {};
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string");
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
    const response = req.url?.startsWith("/api/b24/robot") ? await loaded.robots!.handleRobotCall(request, defer) : await loaded.events!.handleEventDelivery(request, defer);
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  const appUrl = `http://127.0.0.1:${await listen(server)}`;
  const eventsUrl = `${appUrl}/api/b24/events`;
  const emu = await startEmulator({
    rateLimit: "off",
    app: { ...CLIENT, appUrl, installHandlerUrl: eventsUrl, scope: manifest.scopes.join(",") },
    portals: Array.from({ length: portals }, () => ({ ...seed })),
  });
  const { cleanup } = prepareAppDatabase({
    NEXTAUTH_URL: appUrl,
    B24_CLIENT_ID: CLIENT.clientId,
    B24_CLIENT_SECRET: CLIENT.clientSecret,
    B24_OAUTH_SERVER: emu.oauthUrl,
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    // A handler that fails here is retried only after 10 min: a retry must not fire inside a later test of the file
    // (it would call the portal that test is changing). Retries themselves are tested in lib/bitrix24/inbox/.
    B24_WORKER_BACKOFF_MS: "600000",
    // The emulator's bucket is off here (rateLimit above), so the app's own is opened wide as well: these tests run
    // many installs back to back, and waiting on the standard 2 calls/s would only measure the bucket.
    B24_RATE_LIMIT_BURST: "1000",
    B24_RATE_LIMIT_PER_SEC: "1000",
  });
  const database = await import("@/lib/db");
  const events = await import("@/lib/bitrix24/lifecycle/events");
  loaded.events = events;
  loaded.robots = await import("@/lib/bitrix24/lifecycle/robots");
  const settle = async () => {
    while (pending.length > 0) await Promise.all(pending.splice(0));
  };

  return {
    emu,
    appUrl,
    eventsUrl,
    db: database.db,
    events,
    defer,
    settle,
    async post(body, type = "application/x-www-form-urlencoded") {
      const started = performance.now();
      const res = await events.handleEventDelivery(new Request(eventsUrl, { method: "POST", body, headers: { "content-type": type } }), defer);
      return { status: res.status, body: (await res.json()) as { error?: string; status?: string }, ms: performance.now() - started };
    },
    async lastSeq() {
      const log = await emu.control.log();
      return log.length ? log[log.length - 1]!.seq : 0;
    },
    async stop() {
      await settle().catch(() => undefined);
      await database.db().$disconnect();
      await emu.stop();
      await new Promise<void>((r) => server.close(() => r()));
      cleanup();
    },
  };
}

/** Installs the app on a portal the no-UI way (the emulator POSTs ONAPPINSTALL) and returns that delivery's body. */
export async function installNoUi(h: Harness, memberId: string): Promise<{ body: string; applicationToken: string }> {
  const { applicationToken, delivery } = await h.emu.control.install(memberId, { noUi: true });
  if (delivery?.status !== 200) throw new Error(`ONAPPINSTALL answered ${delivery?.status} ${delivery?.error ?? ""}`);
  await h.settle();
  return { body: delivery.body, applicationToken };
}

/** A snapshot of every row that an event could change. */
export async function snapshot(h: Harness) {
  const db = h.db();
  return {
    portals: await db.portal.findMany({ orderBy: { memberId: "asc" } }),
    pairs: await db.tokenPair.findMany({ orderBy: { id: "asc" } }),
    users: await db.user.findMany({ orderBy: { id: "asc" } }),
  };
}

/** Replaces `auth[key]` values of a captured delivery body. */
export function withAuth(body: string, changes: Record<string, string | null>): string {
  const params = new URLSearchParams(body);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) params.delete(`auth[${k}]`);
    else params.set(`auth[${k}]`, v);
  }
  return params.toString();
}
