import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseQueryString, type Params } from "../form";
import { startEmulator, type Emulator, type EmulatorOptions } from "../index";

export const APP = { clientId: "local.test.0000000000000042", clientSecret: "test-secret-0123456789abcdef" };

/** Rate limiting is off unless a test is about it, so ordinary tests never trip over the bucket. */
export function start(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({ rateLimit: "off", ...opts, app: { ...APP, appUrl: "http://127.0.0.1:9", ...opts.app } });
}

export interface JsonResponse {
  status: number;
  // Tests assert on deep protocol shapes; a typed body per method would only restate the protocol doc.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export async function http(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, { redirect: "manual", ...init });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

export function form(data: Record<string, string>): RequestInit {
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(data).toString() };
}

export function jsonBody(data: unknown): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(data) };
}

/** Drives the portal consent form like a browser and returns the redirect's query. */
export async function authorize(portalUrl: string, userId = 1, state = "st-1"): Promise<URLSearchParams> {
  const res = await http(`${portalUrl}/oauth/authorize/`, form({ client_id: APP.clientId, state, user: String(userId) }));
  if (res.status !== 302) throw new Error(`authorize failed: ${res.status} ${res.body}`);
  return new URL(res.headers.get("location") as string).searchParams;
}

export async function exchange(oauthUrl: string, code: string): Promise<JsonResponse> {
  return http(`${oauthUrl}/oauth/token/`, form({ grant_type: "authorization_code", client_id: APP.clientId, client_secret: APP.clientSecret, code }));
}

export async function refresh(oauthUrl: string, refreshToken: string): Promise<JsonResponse> {
  return http(`${oauthUrl}/oauth/token/`, form({ grant_type: "refresh_token", client_id: APP.clientId, client_secret: APP.clientSecret, refresh_token: refreshToken }));
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  [k: string]: unknown;
}

export async function signIn(emu: Emulator, portalIndex = 0, userId = 1): Promise<Tokens> {
  const portal = emu.portals[portalIndex];
  if (!portal) throw new Error("no such portal");
  const q = await authorize(portal.url, userId);
  const res = await exchange(emu.oauthUrl, q.get("code") as string);
  if (res.status !== 200) throw new Error(`exchange failed ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

export function rest(portalUrl: string, method: string, token: string | null, params: unknown = {}): Promise<JsonResponse> {
  const body = token === null ? params : { ...(params as object), auth: token };
  return http(`${portalUrl}/rest/${method}`, jsonBody(body));
}

export interface Received {
  path: string;
  contentType: string;
  raw: string;
  params: Params;
}

/** A stand-in for the app's event handlers: records every POST and answers with `status`. */
export async function startReceiver(status = 200): Promise<{ url: string; received: Received[]; stop(): Promise<void>; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      received.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", raw, params: parseQueryString(raw) });
      res.writeHead(status, { "content-type": "application/json" });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    server,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Waits for an asynchronous delivery without a fixed sleep. */
export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
