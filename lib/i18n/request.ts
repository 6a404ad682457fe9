import { getRequestConfig } from "next-intl/server";
import { log } from "@/lib/log";
import { messagesFor } from "./messages";
import { requestLocale } from "./resolve";

/** next-intl's per-request configuration (next.config.mjs points its plugin here). */
export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return {
    locale,
    messages: messagesFor(locale),
    // Dates render on the server: one zone for every person until the app learns theirs (Bitrix24 does not post it).
    timeZone: "UTC",
    // A missing message is a bug that messages.test.ts should have caught; the page shows the key's path, not a crash.
    onError: (err) => log.error("i18n.message", { code: err.code, reason: err.message.slice(0, 200) }),
  };
});
