import type { DateTimeFormatOptions } from "next-intl";

/**
 * Tags the admin pages' messages use inside t.rich: <data> wraps portal or server data (hosts, scope and event names,
 * Bitrix24's own error texts) so that it is never translated and the language check can tell it from UI text;
 * <code> wraps a setting a person types (an environment variable).
 */
export const RICH = {
  data: (chunks: React.ReactNode) => <span translate="no">{chunks}</span>,
  code: (chunks: React.ReactNode) => <code className="text-[0.95em]">{chunks}</code>,
};

/** A moment on the admin pages: date, minutes and the zone (the app renders in UTC, lib/i18n/request.ts). */
export const STAMP: DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
