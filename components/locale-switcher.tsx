import { getLocale, getTranslations } from "next-intl/server";
import { LanguageIcon } from "@/components/icons";
import { setLocale } from "@/lib/actions/locale";
import { LOCALE_NAMES, LOCALES } from "@/lib/i18n/locales";

/**
 * One button per language, each named in its own language (lang attribute) so a reader finds theirs whatever the
 * page's language. A plain form: it works before hydration and with JavaScript off.
 */
export async function LocaleSwitcher() {
  const [locale, t] = await Promise.all([getLocale(), getTranslations("common")]);
  return (
    <form action={setLocale} role="group" aria-label={t("language")} className="flex items-center gap-1 text-xs">
      <LanguageIcon className="size-4 shrink-0 text-slate-500" />
      {LOCALES.map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          lang={l}
          aria-pressed={l === locale}
          className="rounded px-1.5 py-0.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-600 aria-pressed:bg-slate-200 aria-pressed:font-semibold aria-pressed:text-slate-900"
        >
          {LOCALE_NAMES[l]}
        </button>
      ))}
    </form>
  );
}
