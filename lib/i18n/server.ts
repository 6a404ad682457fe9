import "server-only";
// use-intl/core: the same translator without React, so workers and scripts (no React server) can load this module.
import { createTranslator } from "use-intl/core";
import { messagesFor } from "./messages";
import type { Locale } from "./locales";

/** A translator outside React (route handlers' HTML answers); React code uses next-intl's getTranslations. */
export function translator(locale: Locale) {
  return createTranslator({ locale, messages: messagesFor(locale) });
}
