import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { LicenceFacts } from "@/components/licence-facts";
import { RICH } from "@/components/rich-tags";
import { licenceOf, marketCardUrl, type Licence } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("licence");
  return { title: t("title") };
}
export const dynamic = "force-dynamic";

function why(l: Licence) {
  if (l.allowed) return "active";
  if (l.state === "expired") return l.status === "T" ? "trialEnded" : "ended";
  if (l.state === "demo") return "demo";
  return "unknown";
}

/** Where requireLicence sends a person whose portal has no usable licence (lib/bitrix24/licence.ts). */
export default async function PaywallPage() {
  const session = await requirePortalSession();
  const [licence, t] = await Promise.all([licenceOf(session.memberId), getTranslations("licence")]);
  // The portal's Market card of the app (https://<portal>/market/detail/<CODE from app.info>/): where it is bought or renewed.
  const card = await marketCardUrl(session.memberId);
  const who = session.isAdmin ? "admin" : "member";
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{licence.allowed ? t("title") : t("needsLicence")}</h1>
      <p className="mt-1 text-slate-600" role="status">{t(`why.${why(licence)}`)}</p>
      <section aria-labelledby="licence-h" className="mt-8 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="licence-h" className="font-semibold">{t.rich("on", { ...RICH, host: session.portalHost })}</h2>
        <dl className="mt-2 divide-y divide-slate-100 text-sm">
          <LicenceFacts licence={licence} />
        </dl>
      </section>
      {licence.allowed && !licence.expiring ? null : (
        <section aria-labelledby="todo-h" className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 text-sm shadow-sm">
          <h2 id="todo-h" className="font-semibold">{t("todo.title")}</h2>
          <p className="mt-2 text-slate-700">
            {card
              ? t.rich("todo.card", {
                  who,
                  link: (chunks) => (
                    <a href={card} target="_blank" rel="noopener noreferrer" className="font-medium text-brand-700 hover:underline">
                      {chunks}
                    </a>
                  ),
                })
              : t.rich("todo.noCard", { who, place: (chunks) => <span className="font-medium">{chunks}</span> })}
          </p>
          <p className="mt-2 text-slate-700">{t("todo.afterPayment")}</p>
        </section>
      )}
      <p className="mt-6 text-sm">
        <Link href="/dashboard" className="font-medium text-brand-700 hover:underline">{t("backToDashboard")}</Link>
      </p>
    </>
  );
}
