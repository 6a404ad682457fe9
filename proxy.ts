import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { authCookies } from "@/lib/auth-cookies";
import { b24Config } from "@/lib/bitrix24/config";
import { env } from "@/lib/env";
import { CSP_HEADER, frameAncestors, portalOrigin } from "@/lib/http/csp";

/**
 * Headers only (Next 16's renamed middleware; it runs on Node). Pages of a signed-in session may be framed by that
 * session's portal and nothing else; pages without a session by nobody. This is not an authorization layer:
 * every handler, page and action checks the session itself. API routes are excluded (JSON is never framed; the
 * app and install URLs set their own header from the verified POST).
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const e = env();
  let host: string | undefined;
  try {
    const token = await getToken({ req, secret: e.NEXTAUTH_SECRET, cookieName: authCookies(e.NEXTAUTH_URL).sessionToken.name });
    host = token?.portalHost;
  } catch {
    host = undefined;
  }
  const res = NextResponse.next();
  res.headers.set(CSP_HEADER, frameAncestors(portalOrigin(host, b24Config().hostPolicy)));
  return res;
}

export const config = {
  // API answers are JSON, never framed documents; the app and install URLs set their own header.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/).*)"],
};
