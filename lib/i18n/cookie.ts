/** A chosen language is remembered for a year; the portal's LANG overwrites it on every frame open. */
const MAX_AGE_SEC = 365 * 24 * 60 * 60;

export interface LocaleCookie {
  name: string;
  options: { httpOnly: true; sameSite: "none" | "lax"; path: "/"; secure: boolean; partitioned?: true; maxAge: number };
}

/**
 * The language cookie. Inside the portal's iframe the app is a third party, so over https it needs the same
 * `SameSite=None; Secure; Partitioned` and `__Host-` prefix as the session cookie (lib/auth-cookies.ts), or the
 * frame would never see it.
 */
export function localeCookie(appUrl: string): LocaleCookie {
  return new URL(appUrl).protocol === "https:"
    ? { name: "__Host-b24.locale", options: { httpOnly: true, sameSite: "none", path: "/", secure: true, partitioned: true, maxAge: MAX_AGE_SEC } }
    : { name: "b24.locale", options: { httpOnly: true, sameSite: "lax", path: "/", secure: false, maxAge: MAX_AGE_SEC } };
}
