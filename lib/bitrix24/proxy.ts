import "server-only";
import { getPortalSession, type PortalSession } from "@/lib/auth";
import { env } from "@/lib/env";
import { errorJson } from "@/lib/http/responses";
import { B24Error } from "@/lib/errors";
import { readLimited } from "./lifecycle/form";
import { userClient } from "./clients";
import { proxyMethods } from "./registry";
import { createMethodPolicy, isValidMethodName } from "./transport/methods";

/**
 * The browser's only way to Bitrix24: POST /api/b24/{method} with a JSON object of params. The tenant and the token
 * come from the server-side session only; the method is checked by pattern and allow-list (every batch sub-command
 * too) before anything is sent; the answer is a freshly built JSON body, never the upstream response.
 */
export const PROXY_HEADER = "x-b24-proxy";
export const MAX_BODY_BYTES = 64 * 1024;
const FORBIDDEN_PARAMS = new Set(["auth", "access_token", "refresh_token", "client_secret", "__proto__", "constructor", "prototype"]);

let policy: ReturnType<typeof createMethodPolicy> | undefined;
function methodPolicy() {
  policy ??= createMethodPolicy(proxyMethods());
  return policy;
}

/** Cross-site requests are refused: with SameSite=None cookies (inside the portal's iframe) they would carry our session. */
export function checkSameOrigin(req: Request, appOrigin: string): void {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null" || origin !== appOrigin) throw new B24Error("forbidden", "Cross-site request refused.");
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") throw new B24Error("forbidden", "Cross-site request refused.");
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw new B24Error("forbidden", "Send the parameters as application/json.");
  }
  if (req.headers.get(PROXY_HEADER) !== "1") throw new B24Error("forbidden", `The ${PROXY_HEADER} header is required.`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON object of at most MAX_BODY_BYTES (refused with 413 before the rest is read) without credential keys. */
export async function readParams(req: Request): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = utf8.decode(await readLimited(req, MAX_BODY_BYTES));
  } catch (err) {
    if (err instanceof B24Error) throw err;
    throw new B24Error("bad_request", "The request body is not valid UTF-8.");
  }
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new B24Error("bad_request", "The request body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new B24Error("bad_request", "Send the parameters as a JSON object.");
  for (const key of Object.keys(parsed)) {
    if (FORBIDDEN_PARAMS.has(key.toLowerCase())) throw new B24Error("bad_request", `The parameter "${key}" is not allowed.`);
  }
  return parsed as Record<string, unknown>;
}

async function requireSession(): Promise<PortalSession> {
  const session = await getPortalSession();
  if (!session) throw new B24Error("unauthenticated", "Sign in first.");
  return session;
}

export async function proxyCall(req: Request, method: string): Promise<Response> {
  try {
    const session = await requireSession();
    checkSameOrigin(req, new URL(env().NEXTAUTH_URL).origin);
    if (!isValidMethodName(method)) throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
    const params = await readParams(req);
    methodPolicy().check(method, params);
    const { result, total, next } = await userClient(session, { interactive: true }).call(method, params);
    return Response.json({ result, total, next }, { headers: { "cache-control": "private, no-store" } });
  } catch (err) {
    const res = errorJson(err);
    if (err instanceof B24Error && (err.retryAfterSec !== undefined || err.code === "rate_limited" || err.code === "upstream_unavailable")) {
      res.headers.set("retry-after", String(Math.max(1, Math.ceil(err.retryAfterSec ?? 1))));
    }
    return res;
  }
}
