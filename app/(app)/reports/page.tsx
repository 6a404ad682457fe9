import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { RICH } from "@/components/rich-tags";
import { requireLicence } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("licence");
  return { title: t("reports.title") };
}
export const dynamic = "force-dynamic";

/**
 * An example paid-only page: requireLicence sends anyone whose portal has no usable licence to /paywall before
 * anything here runs. Gate a page the same way with one line; a route handler passes `{ onRefused: "throw" }`.
 */
export default async function ReportsPage() {
  const session = await requirePortalSession();
  const licence = await requireLicence(session);
  const t = await getTranslations("licence");
  const inGrace = licence.daysLeft !== null && licence.daysLeft < 0;
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{t("reports.title")}</h1>
      <p className="mt-1 text-slate-600">{t.rich("reports.intro", { ...RICH, host: session.portalHost, state: t(`state.${licence.state}`) })}</p>
      {licence.expiring ? (
        <p role="status" className="mt-4 rounded-lg bg-amber-50 p-3 text-sm text-amber-800">
          {t.rich("reports.endsSoon", {
            grace: inGrace ? "yes" : "no",
            link: (chunks) => (
              <Link href="/paywall" className="font-medium underline">
                {chunks}
              </Link>
            ),
          })}
        </p>
      ) : null}
    </>
  );
}
