import "server-only";
import { type CookieOption, type NextAuthOptions } from "next-auth";
import { decode, encode, type JWT } from "next-auth/jwt";
import { cookies } from "next/headers";
import { authCookies } from "@/lib/auth-cookies";
import { b24Config } from "@/lib/bitrix24/config";
import { isB24Error } from "@/lib/errors";
import { bitrix24Provider, fromAccountTokens } from "@/lib/bitrix24/oauth/provider";
import { persistSignIn, type B24Profile } from "@/lib/bitrix24/oauth/sign-in";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * next-auth wiring. The session (a sealed JWT cookie) carries only who the person is and which portal they
 * belong to; tokens live encrypted in the database and never reach the JWT, /api/auth/session or any page.
 */
export const SESSION_MAX_AGE_SEC = 8 * 60 * 60;

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const e = env();
  const appUrl = new URL(e.NEXTAUTH_URL);
  cached = {
    secret: e.NEXTAUTH_SECRET,
    providers: [bitrix24Provider(b24Config(), e.NEXTAUTH_URL)],
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SEC },
    cookies: authCookies(e.NEXTAUTH_URL),
    pages: { signIn: "/", error: "/auth/error", signOut: "/" },
    debug: false,
    logger: {
      error: (code, metadata) => log.error(`next-auth.${code}`, { metadata }),
      warn: (code) => log.warn(`next-auth.${code}`),
      debug: () => {},
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (!account || !profile) return false;
        try {
          await persistSignIn(fromAccountTokens(account), profile as unknown as B24Profile);
          return true;
        } catch (err) {
          if (isB24Error(err) && err.code === "portal_uninstalled") {
            log.warn("auth.sign_in_refused", { reason: err.code });
            return "/auth/error?error=NotInstalled";
          }
          log.error("auth.persist_failed", { err });
          return "/auth/error?error=Storage";
        }
      },
      async jwt({ token, profile }) {
        return profile ? sessionClaims(profile as unknown as B24Profile) : token;
      },
      async session({ session, token }) {
        return {
          expires: session.expires,
          user: { name: token.name ?? null, email: token.email ?? null },
          portal: { memberId: token.memberId, host: token.portalHost },
          bitrixUserId: token.bitrixUserId,
          isAdmin: token.isAdmin,
        };
      },
      // Stricter than the default: only same-origin targets, and a malformed URL never throws (GHSA-g5fm-jp9v-2432).
      async redirect({ url, baseUrl }) {
        return safeRedirect(url, baseUrl || appUrl.origin);
      },
    },
  };
  return cached;
}

/** The JWT claims of a session: who the person is and which portal, nothing else (never a token). */
export function sessionClaims(p: B24Profile): JWT {
  return { sub: `${p.memberId}:${p.bitrixUserId}`, name: p.name, email: p.email, memberId: p.memberId, portalHost: p.portalHost, bitrixUserId: p.bitrixUserId, isAdmin: p.isAdmin };
}

/**
 * A fresh session cookie for a person the OAuth server vouched for outside next-auth's own routes (the app and
 * install URLs opened in the portal's frame). Same claims, secret and cookie as a next-auth sign-in, so
 * getPortalSession() reads it unchanged; it always replaces whatever session the browser had.
 */
export async function mintSessionCookie(p: B24Profile): Promise<{ name: string; value: string; options: CookieOption["options"] }> {
  const e = env();
  const cookie = authCookies(e.NEXTAUTH_URL).sessionToken;
  const value = await encode({ token: sessionClaims(p), secret: e.NEXTAUTH_SECRET, maxAge: SESSION_MAX_AGE_SEC });
  return { name: cookie.name, value, options: { ...cookie.options, maxAge: SESSION_MAX_AGE_SEC } };
}

/** Options for one request to the next-auth route: the provider sees that request's raw query (see provider.ts). */
export function authOptionsFor(query: URLSearchParams): NextAuthOptions {
  return { ...authOptions(), providers: [bitrix24Provider(b24Config(), env().NEXTAUTH_URL, query)] };
}

export function safeRedirect(url: string, baseUrl: string): string {
  try {
    const base = new URL(baseUrl);
    const target = new URL(url, base);
    // WHATWG parsing already turns "//x", "/\\x" and "\\/\\/x" into other origins, so the origin check covers them.
    if (target.origin === base.origin) return target.toString();
  } catch {
    // fall through to the base URL
  }
  return baseUrl;
}

export interface PortalSession {
  memberId: string;
  portalHost: string;
  bitrixUserId: number;
  isAdmin: boolean;
  name: string;
}

/** The session of a signed-in person, or null. Authorisation decisions use its content, never its mere presence. */
export async function getPortalSession(): Promise<PortalSession | null> {
  const e = env();
  const name = authCookies(e.NEXTAUTH_URL).sessionToken.name;
  const jar = await cookies();
  // next-auth splits a cookie over ~4 KB into name.0, name.1, …; ours is far smaller, but read both shapes.
  const raw =
    jar.get(name)?.value ??
    jar
      .getAll()
      .filter((c) => /^\d+$/.test(c.name.slice(name.length + 1)) && c.name.startsWith(`${name}.`))
      .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)))
      .map((c) => c.value)
      .join("");
  if (!raw) return null;
  const hit = decoded.get(raw);
  if (hit && hit.expiresAt > Date.now()) return hit.session;
  // Decrypting the sealed JWT directly (what getServerSession does inside, minus a full pass through next-auth's
  // request handler) keeps every proxied call cheap; `decode` verifies the seal and the expiry.
  let token: JWT | null;
  try {
    token = await decode({ token: raw, secret: e.NEXTAUTH_SECRET });
  } catch {
    return null;
  }
  const memberId = token?.memberId;
  const bitrixUserId = token?.bitrixUserId;
  if (!token || typeof memberId !== "string" || !memberId || typeof bitrixUserId !== "number") return null;
  const session = { memberId, portalHost: token.portalHost ?? "", bitrixUserId, isAdmin: token.isAdmin === true, name: token.name ?? "" };
  remember(raw, session, typeof token.exp === "number" ? token.exp * 1000 : Date.now());
  return session;
}

/**
 * Decrypted sessions by their exact sealed cookie value (unforgeable), until the seal's own expiry, so a page
 * firing many proxied calls decrypts its cookie once. Bounded; the oldest entries go first.
 */
const decoded = new Map<string, { session: PortalSession; expiresAt: number }>();
const MAX_DECODED = 1_000;

function remember(raw: string, session: PortalSession, expiresAt: number): void {
  if (decoded.size >= MAX_DECODED) decoded.delete(decoded.keys().next().value!);
  decoded.set(raw, { session, expiresAt });
}
