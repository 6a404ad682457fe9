"use server";
import { cookies } from "next/headers";
import { getPortalSession } from "@/lib/auth";
import { saveUserLanguage } from "@/lib/bitrix24/store/users";
import { env } from "@/lib/env";
import { localeCookie } from "@/lib/i18n/cookie";
import { isLocale } from "@/lib/i18n/locales";

/**
 * The language switcher: remembered in this browser (cookie) and, signed in, for the person (their next browser).
 * Setting a cookie in a server action re-renders the page in the new language. An unknown value changes nothing.
 */
export async function setLocale(formData: FormData): Promise<void> {
  const locale = formData.get("locale");
  if (!isLocale(locale)) return;
  const c = localeCookie(env().NEXTAUTH_URL);
  (await cookies()).set(c.name, locale, c.options);
  const session = await getPortalSession();
  if (session) await saveUserLanguage(session.memberId, session.bitrixUserId, locale);
}
