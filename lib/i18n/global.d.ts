import type { Locale } from "./locales";
import type { Messages } from "./messages";

// next-intl's typed keys: t("dashboard.title") fails the type check when English has no such message.
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
  }
}
