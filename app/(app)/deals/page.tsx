import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DealsView } from "@/components/deals-view";
import { requirePortalSession } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("deals");
  return { title: t("metaTitle") };
}

export default async function DealsPage() {
  const [session, t] = await Promise.all([requirePortalSession(), getTranslations("deals")]);
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{t("heading")}</h1>
      <p className="mt-1 text-slate-600">{t.rich("intro", { host: session.portalHost, data: (chunks) => <span translate="no">{chunks}</span> })}</p>
      <div className="mt-8">
        <DealsView />
      </div>
    </>
  );
}
