import Link from "next/link";
import { useTranslations } from "next-intl";

/** Rendered with HTTP 403 by forbidden() (admin-only pages for non-admins). */
export default function Forbidden() {
  const t = useTranslations("common");
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-2xl font-bold tracking-tight">{t("forbidden.title")}</h1>
      <p role="alert" className="mt-3 text-slate-700">
        {t("forbidden.text")}
      </p>
      <p className="mt-6">
        <Link href="/dashboard" className="font-medium text-brand-700 hover:underline">
          {t("backToDashboard")}
        </Link>
      </p>
    </main>
  );
}
