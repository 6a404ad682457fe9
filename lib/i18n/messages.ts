import de from "./messages/de";
import en from "./messages/en";
import ru from "./messages/ru";
import type { Locale } from "./locales";

/** English is the reference catalogue: its shape types every key (global.d.ts) and the other languages must match it. */
export type Messages = typeof en;

const CATALOGUES: Record<Locale, Messages> = { en, ru, de };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUES[locale];
}
