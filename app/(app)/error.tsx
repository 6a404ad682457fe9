"use client";
import { useTranslations } from "next-intl";

/** A page under the signed-in layout failed on the server: say so, offer a retry; the details stay in the server log. */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("common");
  return (
    <div role="alert" className="rounded-2xl border border-red-200 bg-red-50 p-6 text-red-800">
      <h1 className="text-lg font-semibold">{t("pageError.title")}</h1>
      <p className="mt-1 text-sm">{t("pageError.text")}</p>
      <button type="button" onClick={reset} className="mt-4 rounded-md bg-white px-3 py-1.5 text-sm font-medium ring-1 ring-red-200 hover:bg-red-100">
        {t("tryAgain")}
      </button>
    </div>
  );
}
