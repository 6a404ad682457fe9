import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { getFormatter, getTranslations } from "next-intl/server";
import { Row } from "@/components/fact-row";
import { RestLogSection } from "@/components/rest-log";
import { RetryJobButton } from "@/components/retry-job";
import { RICH, STAMP } from "@/components/rich-tags";
import { doctorReport, sessionPortalOrigin, type TokenCheck } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";
import { LicenceSection } from "./licence-section";
import { Problems } from "./problems";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("doctor");
  return { title: t("title") };
}
export const dynamic = "force-dynamic";

const PORTAL_STATUSES = ["active", "blocked", "uninstalled"] as const;
const isPortalStatus = (s: string): s is (typeof PORTAL_STATUSES)[number] => (PORTAL_STATUSES as readonly string[]).includes(s);

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id={id} className="font-semibold">{title}</h2>
      <dl className="mt-2 divide-y divide-slate-100 text-sm">{children}</dl>
    </section>
  );
}

/** Names from the portal or the manifest (scopes, events, placements, robots): data, never translated. */
function Names({ list }: { list: string[] }) {
  const t = useTranslations("doctor");
  return list.length ? <span translate="no">{list.join(", ")}</span> : t("none");
}

/** What the portal holds next to what the manifest expects. */
function Comparison({ have, held, expected, missing }: { have: string; held: string[]; expected: string[]; missing: string[] }) {
  const t = useTranslations("doctor");
  return (
    <>
      <Row label={have}><Names list={held} /></Row>
      <Row label={t("expected")}><Names list={expected} /></Row>
      <Row label={t("missing")}><Names list={missing} /></Row>
    </>
  );
}

function Token({ check }: { check: TokenCheck }) {
  const t = useTranslations("doctor");
  const format = useFormatter();
  const when = (d: Date | null) => (d ? format.dateTime(d, STAMP) : t("never"));
  return (
    <Row label={t(`connection.${check.connection}`)}>
      {check.present ? (
        <>
          {t("tokens.facts", { status: t(`tokens.status.${check.status === "active" ? "active" : "needs_reauth"}`), expires: when(check.expiresAt), refreshed: when(check.lastRefreshAt), failures: check.refreshFailures })}
          {check.lastError ? <span translate="no"> ({check.lastError})</span> : null}
        </>
      ) : (
        t("tokens.noneStored")
      )}
    </Row>
  );
}

/** Admin-only view of the installation's health (lib/bitrix24/lifecycle/doctor.ts). */
export default async function DoctorPage() {
  const session = await requirePortalSession();
  if (!session.isAdmin) forbidden();
  const report = await doctorReport(session);
  if (!report) redirect("/auth/error?error=SessionRequired");
  const [t, format] = await Promise.all([getTranslations("doctor"), getFormatter()]);
  const when = (d: Date | null) => (d ? format.dateTime(d, STAMP) : t("never"));
  const { portal, appInfo, scopes, events, tokens, problems, inbox } = report;
  const portalRef = { host: session.portalHost, origin: await sessionPortalOrigin(session) };
  const data = (value: string | null | undefined) => (value ? <span translate="no">{value}</span> : t("unknown"));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">{t("title")}</h1>
      <Problems problems={problems} portal={portalRef} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Section id="app-h" title={t("appInfo.title", { via: report.askedWith })}>
          <Row label={t("appInfo.installed")}>{appInfo ? (appInfo.installed ? t("appInfo.yes") : t("appInfo.notFinished")) : t("unknown")}</Row>
          <Row label={t("appInfo.status")}>{data(appInfo?.status)}</Row>
          <Row label={t("appInfo.license")}>{data(appInfo?.license)}</Row>
        </Section>
        <LicenceSection memberId={portal.memberId} />
        <Section id="portal-h" title={t("record.title")}>
          <Row label={t("record.portal")}>{data(portal.domain)}</Row>
          <Row label={t("record.status")}>
            {isPortalStatus(portal.status) ? t(`record.statusName.${portal.status}`) : <span translate="no">{portal.status}</span>}
            {portal.statusReason ? <span translate="no"> ({portal.statusReason})</span> : null}
          </Row>
          <Row label={t("record.oauthServer")}>
            {data(report.oauthServer.origin)}
            {report.oauthServer.configured ? null : ` ${t("record.notConfigured")}`}
          </Row>
          <Row label={t("record.setUpBy")}>{report.setup === "installed" ? t("record.installedSetup") : t("record.signedInOnly")}</Row>
          <Row label={t("record.installed")}>
            {portal.installedBy !== null ? t.rich("record.installedBy", { ...RICH, when: when(portal.installedAt), user: portal.installedBy }) : when(portal.installedAt)}
          </Row>
          <Row label={t("record.lastEvent")}>
            {portal.lastEventName ? t.rich("record.lastEventAt", { ...RICH, name: portal.lastEventName, when: when(portal.lastEventAt) }) : t("record.noEvent")}
          </Row>
        </Section>
        <Section id="scopes-h" title={t("scopes.title")}>
          <Row label={t("scopes.granted")}><Names list={scopes.granted} /></Row>
          <Row label={t("scopes.required")}><Names list={scopes.required} /></Row>
          <Row label={t("missing")}><Names list={scopes.missing} /></Row>
        </Section>
        <Section id="events-h" title={t("events.title")}>
          <Comparison have={t("bound")} held={events.bound} {...events} />
        </Section>
        {report.placements ? (
          <Section id="placements-h" title={t("placements.title")}>
            <Comparison have={t("bound")} held={report.placements.bound} {...report.placements} />
          </Section>
        ) : null}
        {report.robots ? (
          <Section id="robots-h" title={t("robots.title")}>
            <Comparison have={t("registered")} held={report.robots.registered} {...report.robots} />
          </Section>
        ) : null}
        <Section id="inbox-h" title={t("inbox.title")}>
          <Row label={t("inbox.waiting")}>{format.number(inbox.counts.pending + inbox.counts.running)}</Row>
          <Row label={t("inbox.done")}>{format.number(inbox.counts.done)}</Row>
          <Row label={t("inbox.stopped")}>{format.number(inbox.counts.dead)}</Row>
          {inbox.dead.map((j) => (
            <Row key={j.id} label={<><span translate="no">{j.name}</span> {t("inbox.attempts", { count: j.attempts })}</>}>
              {j.lastError ? (
                <span className="block font-normal text-red-700" data-testid="dead-job-error" translate="no">{j.lastError}</span>
              ) : (
                <span className="block font-normal text-red-700" data-testid="dead-job-error">{t("inbox.noError")}</span>
              )}
              <RetryJobButton id={j.id} />
            </Row>
          ))}
        </Section>
        <Section id="tokens-h" title={t("tokens.title")}>
          {tokens.map((c) => (
            <Token key={c.connection} check={c} />
          ))}
        </Section>
      </div>
      <RestLogSection memberId={session.memberId} />
    </div>
  );
}
