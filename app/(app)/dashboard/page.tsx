import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import Link from "next/link";
import { redirect } from "next/navigation";
import { OpenSettings } from "@/components/open-settings";
import { dashboardData } from "@/lib/dashboard";
import { requirePortalSession } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("dashboard");
  return { title: t("metaTitle") };
}

type T = Awaited<ReturnType<typeof getTranslations<"dashboard">>>;
type Format = Awaited<ReturnType<typeof getFormatter>>;

/** Portal data inside a message (names, hosts, deal titles): not for a translator, human or machine. */
const untranslated = (chunks: React.ReactNode) => <span translate="no">{chunks}</span>;

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-sm font-medium break-words text-slate-900 sm:col-span-2 sm:mt-0">{children}</dd>
    </div>
  );
}

function formatExpiry(t: T, format: Format, expiresAt: Date): string {
  const minutes = Math.round((expiresAt.getTime() - Date.now()) / 60_000);
  const when = format.dateTime(expiresAt, { dateStyle: "medium", timeStyle: "short" });
  return minutes > 0 ? t("you.expiresIn", { when, minutes }) : t("you.expired", { when });
}

function lastDealText(t: T, deal: { id: string; title: string } | null | "unknown", none: string): React.ReactNode {
  if (deal === "unknown") return t("events.unknown");
  return deal ? t.rich("events.deal", { id: deal.id, title: deal.title, data: untranslated }) : none;
}

export default async function Dashboard() {
  const session = await requirePortalSession();
  const [data, t, format] = await Promise.all([dashboardData(session), getTranslations("dashboard"), getFormatter()]);
  if (!data) redirect("/auth/error?error=SessionRequired");
  const { portal, user, tokens, scopes, lastDeal, lastUpdate } = data;
  return (
    <>
        <h1 className="text-2xl font-bold tracking-tight">{t.rich("welcome", { name: user.name, data: untranslated })}</h1>
        <p className="mt-1 text-slate-600">
          {t.rich("connectedTo", { domain: portal.domain, data: (chunks) => <span className="font-medium text-slate-900" translate="no">{chunks}</span> })}
        </p>
        {user.isAdmin && session.isAdmin ? (
          <p className="mt-3 text-sm">
            {t.rich("doctorHint", {
              link: (chunks) => <Link href="/doctor" className="font-medium text-brand-700 hover:underline">{chunks}</Link>,
              muted: (chunks) => <span className="text-slate-500">{chunks}</span>,
            })}
          </p>
        ) : null}
        <p className="mt-3 text-sm">
          <OpenSettings /> <span className="text-slate-500">{t("settingsHint")}</span>
        </p>
        <div className="mt-8 grid gap-6 lg:grid-cols-2">
          <section aria-labelledby="portal-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 id="portal-h" className="font-semibold">{t("portal.heading")}</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label={t("portal.address")}>{untranslated(portal.domain)}</Field>
              <Field label={t("portal.memberId")}>
                <code className="text-xs">{portal.memberId}</code>
              </Field>
              <Field label={t("portal.status")}>
                <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-700">{t(`portal.statuses.${portal.status}`)}</span>
              </Field>
              <Field label={t("portal.scopes")}>
                {scopes.length ? (
                  <ul className="flex flex-wrap gap-1.5" aria-label={t("portal.grantedScopes")}>
                    {scopes.map((s) => (
                      <li key={s} translate="no" className="rounded-md bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                        {s}
                      </li>
                    ))}
                  </ul>
                ) : (
                  t("portal.noScopes")
                )}
              </Field>
            </dl>
          </section>
          <section aria-labelledby="user-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 id="user-h" className="font-semibold">{t("you.heading")}</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label={t("you.name")}>{untranslated(user.name)}</Field>
              <Field label={t("you.email")}>{user.email ? untranslated(user.email) : t("you.emailHidden")}</Field>
              <Field label={t("you.userId")}>{user.bitrixUserId}</Field>
              <Field label={t("you.role")}>{user.isAdmin ? t("you.admin") : t("you.user")}</Field>
              <Field label={t("you.tokenExpires")}>{tokens ? formatExpiry(t, format, tokens.expiresAt) : t("you.noToken")}</Field>
            </dl>
          </section>
          <section aria-labelledby="events-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm lg:col-span-2">
            <h2 id="events-h" className="font-semibold">{t("events.heading")}</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label={t("events.lastAdded")}>{lastDealText(t, lastDeal, t("events.noneAdded"))}</Field>
              <Field label={t("events.lastChanged")}>{lastDealText(t, lastUpdate, t("events.noneChanged"))}</Field>
            </dl>
          </section>
        </div>
    </>
  );
}
