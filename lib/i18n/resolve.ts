import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { getPortalSession } from "@/lib/auth";
import { findLanguages } from "@/lib/bitrix24/store/users";
import { env } from "@/lib/env";
import { localeCookie } from "./cookie";
import { DEFAULT_LOCALE, matchLocale, negotiateLocale, type Locale } from "./locales";

/**
 * The page's language, first match wins:
 * 1. the language cookie: set from the portal's LANG on every frame open (lib/bitrix24/lifecycle/frame.ts) and by
 *    the switcher (lib/actions/locale.ts);
 * 2. signed in without that cookie (a new browser, standalone): the person's stored language;
 * 3. the browser's Accept-Language, when it names a language the app speaks;
 * 4. signed in: the portal's language (a company default is a weaker sign of what this person reads than either);
 * 5. English.
 */
export const requestLocale = cache(async (): Promise<Locale> => {
  const jar = await cookies();
  const chosen = matchLocale(jar.get(localeCookie(env().NEXTAUTH_URL).name)?.value);
  if (chosen) return chosen;
  const session = await getPortalSession();
  const stored = session ? await findLanguages(session.memberId, session.bitrixUserId) : null;
  return (
    matchLocale(stored?.user) ?? negotiateLocale((await headers()).get("accept-language")) ?? matchLocale(stored?.portal) ?? DEFAULT_LOCALE
  );
});

/** The same order for a route handler's own answers (HTML error pages), without the stored languages. */
export function localeOfRequest(req: Request): Locale {
  const name = localeCookie(env().NEXTAUTH_URL).name;
  const cookie = (req.headers.get("cookie") ?? "")
    .split(";")
    .map((c) => c.trim().split("="))
    .find(([k]) => k === name)?.[1];
  return matchLocale(cookie) ?? negotiateLocale(req.headers.get("accept-language")) ?? DEFAULT_LOCALE;
}
