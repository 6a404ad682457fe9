import type { CookiesOptions } from "next-auth";

/**
 * next-auth's cookies. Inside the portal's iframe the app is a third party, so over https every auth cookie is
 * `SameSite=None; Secure; Partitioned` (CHIPS) with a `__Host-` prefix (host-only, Path=/, no Domain): without
 * that the browser drops them in the frame and neither sign-in nor the app session works there. Plain-http
 * loopback (tests, demo) cannot set Secure cookies, so it keeps next-auth's own defaults, spelled out here so the
 * frame handlers (lib/bitrix24/lifecycle/frame.ts) and proxy.ts know the session cookie's name without guessing.
 *
 * Partitioned cookies set inside portal A's frame are invisible at top level and in portal B's frame, so an OAuth
 * round-trip must finish in the context it started in.
 */
export function authCookies(nextAuthUrl: string): CookiesOptions {
  const secure = new URL(nextAuthUrl).protocol === "https:";
  const base = secure
    ? ({ httpOnly: true, sameSite: "none", path: "/", secure: true, partitioned: true } as const)
    : ({ httpOnly: true, sameSite: "lax", path: "/", secure: false } as const);
  const name = (n: string) => (secure ? `__Host-${n}` : n);
  const shortLived = { ...base, maxAge: 15 * 60 };
  return {
    sessionToken: { name: name("next-auth.session-token"), options: base },
    callbackUrl: { name: name("next-auth.callback-url"), options: base },
    csrfToken: { name: name("next-auth.csrf-token"), options: base },
    pkceCodeVerifier: { name: name("next-auth.pkce.code_verifier"), options: shortLived },
    state: { name: name("next-auth.state"), options: shortLived },
    nonce: { name: name("next-auth.nonce"), options: base },
  };
}
