import "server-only";
import { createTranslator } from "next-intl";
import { messagesFor } from "./messages";
import type { Locale } from "./locales";

/** A translator outside React (route handlers' HTML answers); React code uses next-intl's getTranslations. */
export function translator(locale: Locale) {
  return createTranslator({ locale, messages: messagesFor(locale) });
}
