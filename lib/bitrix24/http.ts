import { log } from "@/lib/log";
import { B24Error } from "./errors";
import { redactString } from "./redact";

/**
 * The one fetch wrapper for Bitrix24 (OAuth server and portals). Credentials only ever travel in the body
 * (form or JSON) or a header, never in the URL; redirects are never followed, because a followed redirect
 * would carry the token to wherever `Location` points (portal renames answer 302).
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
}

export const DEFAULT_TIMEOUT_MS = 15_000;

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
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers,
      body,
      redirect: "manual",
      cache: "no-store",
      signal: AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
    log.warn("b24.http.transport_error", { url: redactString(url), timedOut, ms: Math.round(performance.now() - started) });
    throw new B24Error("upstream_unavailable", timedOut ? "Bitrix24 did not answer in time." : "Could not reach Bitrix24.", {
      cause,
    });
  }
  const text = await res.text();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  log.debug("b24.http", { method: req.method, url: redactString(url), status: res.status, ms: Math.round(performance.now() - started) });
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Bitrix24's error envelope `{error, error_description}`, if the body is one. */
export function errorOf(body: unknown): { error: string; description: string } | null {
  if (!body || typeof body !== "object" || !("error" in body)) return null;
  const { error, error_description: description } = body as { error: unknown; error_description?: unknown };
  if (typeof error !== "string") return null;
  return { error, description: typeof description === "string" ? description : "" };
}
