/**
 * The languages the app speaks. Shared by server and client (no server-only imports). Adding a language: add its
 * code here, a folder lib/i18n/messages/<code>/ with every namespace file (messages.test.ts fails on a missing key),
 * and a line in messages.ts.
 */
export const LOCALES = ["en", "ru", "de"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language's own name, for the switcher (shown in that language whatever the page's language is). */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", ru: "Русский", de: "Deutsch" };

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/**
 * A language tag from Bitrix24 (the frame POST's LANG, LANGUAGE_ID: two-letter codes such as "ru", "de", "ua",
 * "br", "la", "sc") or from a browser ("de-AT"), matched on its primary subtag. Bitrix24's own codes that are not
 * ISO (ua, br, la, sc, tc, vn…) simply do not match and fall back.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  const primary = (tag ?? "").trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return isLocale(primary) ? primary : null;
}

/** The best supported language of an Accept-Language header (quality order; ties keep the header's order). */
export function negotiateLocale(header: string | null | undefined): Locale | null {
  const ranked = (header ?? "")
    .split(",")
    .slice(0, 32)
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.tag && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const hit = matchLocale(r.tag);
    if (hit) return hit;
  }
  return null;
}
