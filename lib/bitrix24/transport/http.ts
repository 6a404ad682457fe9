import http from "node:http";
import https from "node:https";
import { log } from "@/lib/log";
import { B24Error } from "@/lib/errors";
import { redactString } from "@/lib/redact";
import { env } from "@/lib/env";
import { checkLiteralAddress, createSafeLookup, UnsafeAddressError } from "@/lib/http/safe-lookup";

/**
 * The one HTTP client for Bitrix24 (OAuth server and portals). Credentials only ever travel in the body
 * (form or JSON) or a header, never in the URL; redirects are never followed, because a followed redirect
 * would carry the token to wherever `Location` points (portal renames answer 302).
 *
 * Built on node:http(s) rather than the global fetch on purpose: Next.js patches the global fetch with its data
 * cache, and token-bearing requests must never be candidates for it; the plain client also skips the web-streams
 * layer and keeps connections alive, which is most of the proxy's per-call cost (see bench/proxy-overhead.ts).
 */
export interface B24Response {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface B24Request {
  method: "GET" | "POST";
  form?: Record<string, string>;
  json?: unknown;
  timeoutMs?: number;
  /** Sent as X-Request-Id and written into this request's log lines (the REST log row carries the same id). */
  requestId?: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Larger answers are refused rather than buffered: no Bitrix24 page (50 rows) or batch (50 × 50) comes close. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

// Kept-alive connections per origin. An idle socket is dropped after 30 s (`timeout`), inside what web servers
// keep open (nginx 75 s), so a request rarely lands on a socket the server is just closing.
// Every host name is resolved through safeLookup: a token never goes to a private, loopback or metadata address.
const lookup = createSafeLookup(() => env().B24_ALLOW_HTTP_LOOPBACK);
const POOL = { keepAlive: true, timeout: 30_000, maxSockets: 64, maxFreeSockets: 16, lookup } as const;
const agents = { "http:": new http.Agent(POOL), "https:": new https.Agent(POOL) };

class TimeoutError extends Error {
  override name = "TimeoutError";
}

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<RawResponse> {
  const transport = url.protocol === "https:" ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new Error(`Unsupported protocol ${url.protocol}`));
  try {
    checkLiteralAddress(url.hostname, env().B24_ALLOW_HTTP_LOOPBACK);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, agent });
    const timer = setTimeout(() => req.destroy(new TimeoutError("Bitrix24 did not answer in time.")), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error("The Bitrix24 answer is too large."));
        else chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("end", () => {
        clearTimeout(timer);
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.end(body);
  });
}

export async function b24Fetch(url: string, req: B24Request): Promise<B24Response> {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "bitrix24-app-template/0.1" };
  let body: string | undefined;
  if (req.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(req.form).toString();
  } else if (req.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(req.json);
  }
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  if (req.requestId) headers["x-request-id"] = req.requestId;
  const started = performance.now();
  let res: RawResponse;
  try {
    res = await send(new URL(url), req.method, headers, body, req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch (cause) {
    const timedOut = cause instanceof TimeoutError;
    const unsafe = cause instanceof UnsafeAddressError;
    log.warn("b24.http.transport_error", { url: redactString(url), b24RequestId: req.requestId, timedOut, unsafeAddress: unsafe || undefined, ms: Math.round(performance.now() - started) });
    const message = timedOut ? "Bitrix24 did not answer in time." : unsafe ? "The portal's address resolves to a non-public network address; the app does not send tokens there." : "Could not reach Bitrix24.";
    throw new B24Error("upstream_unavailable", message, { cause });
  }
  let parsed: unknown;
  if (res.text) {
    try {
      parsed = JSON.parse(res.text);
    } catch {
      parsed = undefined;
    }
  }
  log.debug("b24.http", { method: req.method, url: redactString(url), b24RequestId: req.requestId, status: res.status, ms: Math.round(performance.now() - started) });
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Bitrix24's error envelope `{error, error_description}`, if the body is one. */
export function errorOf(body: unknown): { error: string; description: string } | null {
  if (!body || typeof body !== "object" || !("error" in body)) return null;
  const { error, error_description: description } = body as { error: unknown; error_description?: unknown };
  if (typeof error !== "string") return null;
  return { error, description: typeof description === "string" ? description : "" };
}
