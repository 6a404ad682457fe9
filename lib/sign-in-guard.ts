import { createHash } from "node:crypto";
import { safeEqual } from "@/lib/safe-equal";

/**
 * A sign-in may start only from the app's own page: a POST to /api/auth/signin/<provider> carrying next-auth's CSRF
 * token (the value of its double-submit cookie). next-auth alone answers anything else with a 302 to its sign-in
 * page; this refuses it outright with 403, before next-auth runs, so a link or a cross-site form can never start a
 * flow and the answer says so. The check is next-auth's own (core/lib/csrf-token.ts): cookie `token|sha256(token
 * + secret)`, body `csrfToken` equal to `token`. Other next-auth routes (/signin without a provider, csrf,
 * callback, session, signout) pass through untouched.
 */
export async function refuseUnverifiedSignIn(
  req: Request,
  route: readonly string[] | undefined,
  opts: { secret: string; csrfCookie: string },
): Promise<Response | null> {
  if (route?.[0] !== "signin" || route.length < 2) return null;
  if (req.method === "POST" && (await csrfVerified(req, opts))) return null;
  return new Response("Sign-in must start from the app's page (POST with its CSRF token).\n", {
    status: 403,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

async function csrfVerified(req: Request, opts: { secret: string; csrfCookie: string }): Promise<boolean> {
  const cookie = readCookie(req.headers.get("cookie") ?? "", opts.csrfCookie);
  const [token, hash] = cookie?.split("|") ?? [];
  if (!token || !hash) return false;
  const expected = createHash("sha256").update(`${token}${opts.secret}`).digest("hex");
  if (!safeEqual(hash, expected)) return false;
  const sent = await bodyCsrfToken(req);
  return sent !== undefined && safeEqual(sent, token);
}

function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The body's csrfToken, read from a clone so next-auth still reads the request; the same two shapes next-auth parses. */
async function bodyCsrfToken(req: Request): Promise<string | undefined> {
  const type = req.headers.get("content-type") ?? "";
  try {
    const text = await req.clone().text();
    if (type.includes("application/json")) {
      const v = (JSON.parse(text) as { csrfToken?: unknown } | null)?.csrfToken;
      return typeof v === "string" ? v : undefined;
    }
    if (type.includes("application/x-www-form-urlencoded")) return new URLSearchParams(text).get("csrfToken") ?? undefined;
  } catch {
    // unreadable or malformed body: not verified
  }
  return undefined;
}
