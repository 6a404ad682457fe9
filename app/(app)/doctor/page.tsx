import type { Metadata } from "next";
import { forbidden, redirect } from "next/navigation";
import { RestLogSection } from "@/components/rest-log";
import { RetryJobButton } from "@/components/retry-job";
import { SignInAgainButton } from "@/components/sign-in-again";
import { doctorReport, sessionPortalOrigin, type TokenCheck } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";
import { LicenceSection } from "./licence-section";
import { Row } from "@/components/fact-row";

export const metadata: Metadata = { title: "Install doctor" };
export const dynamic = "force-dynamic";

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id={id} className="font-semibold">{title}</h2>
      <dl className="mt-2 divide-y divide-slate-100 text-sm">{children}</dl>
    </section>
  );
}


/** What the portal holds next to what the manifest expects. */
function Comparison({ have, held, expected, missing }: { have: string; held: string[]; expected: string[]; missing: string[] }) {
  return (
    <>
      <Row label={have}>{held.join(", ") || "none"}</Row>
      <Row label="Expected">{expected.join(", ")}</Row>
      <Row label="Missing">{missing.join(", ") || "none"}</Row>
    </>
  );
}

function Token({ t }: { t: TokenCheck }) {
  return (
    <Row label={t.label}>
      {t.present ? `${t.status}; expires ${when(t.expiresAt)}; last refresh ${when(t.lastRefreshAt)}; failures ${t.refreshFailures}${t.lastError ? ` (${t.lastError})` : ""}` : "none stored"}
    </Row>
  );
}

/** Admin-only view of the installation's health (lib/bitrix24/lifecycle/doctor.ts). */
export default async function DoctorPage() {
  const session = await requirePortalSession();
  if (!session.isAdmin) forbidden();
  const report = await doctorReport(session);
  if (!report) redirect("/auth/error?error=SessionRequired");
  const { portal, appInfo, scopes, events, tokens, problems } = report;
  const portalRef = { host: session.portalHost, origin: await sessionPortalOrigin(session) };
  return (
    <div className="space-y-6">
        <h1 className="text-2xl font-bold tracking-tight">Install doctor</h1>
        <section aria-labelledby="problems-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="problems-h" className="font-semibold">{problems.length ? `${problems.length} problem(s) found` : "No problems found"}</h2>
          <ul className="mt-3 space-y-3" aria-label="Problems">
            {problems.map((p) => (
              <li key={p.text} data-severity={p.severity} className="rounded-lg border border-slate-100 p-3 text-sm">
                <p className={p.severity === "error" ? "font-medium text-red-700" : "font-medium text-amber-700"}>{p.text}</p>
                <p className="mt-1 text-slate-700">What to do: {p.fix}</p>
                {p.action === "sign_in_again" ? (
                  <div className="mt-2">
                    <SignInAgainButton portal={portalRef} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
        <div className="grid gap-6 lg:grid-cols-2">
          <Section id="app-h" title={`Bitrix24's view (app.info, asked with ${report.askedWith})`}>
            <Row label="Installed">{appInfo ? (appInfo.installed ? "yes" : "no (not finished)") : "unknown"}</Row>
            <Row label="Status">{appInfo?.status ?? "unknown"}</Row>
            <Row label="License">{appInfo?.license ?? "unknown"}</Row>
          </Section>
          <LicenceSection memberId={portal.memberId} />
          <Section id="portal-h" title="This app's record">
            <Row label="Portal">{portal.domain}</Row>
            <Row label="Status">{portal.status}{portal.statusReason ? ` (${portal.statusReason})` : ""}</Row>
            <Row label="OAuth server">{report.oauthServer.origin}{report.oauthServer.configured ? "" : " (no longer configured)"}</Row>
            <Row label="Set up by">{report.setup === "installed" ? "an installation from Bitrix24" : "a direct sign-in only (not installed from Bitrix24)"}</Row>
            <Row label="Installed">{when(portal.installedAt)}{portal.installedBy !== null ? ` by user ${portal.installedBy}` : ""}</Row>
            <Row label="Last event">{portal.lastEventName ? `${portal.lastEventName} at ${when(portal.lastEventAt)}` : "none received"}</Row>
          </Section>
          <Section id="scopes-h" title="Permissions (scopes)">
            <Row label="Granted">{scopes.granted.join(", ") || "none"}</Row>
            <Row label="Required">{scopes.required.join(", ")}</Row>
            <Row label="Missing">{scopes.missing.join(", ") || "none"}</Row>
          </Section>
          <Section id="events-h" title="Events">
            <Comparison have="Bound" held={events.bound} {...events} />
          </Section>
          {report.placements ? (
            <Section id="placements-h" title="Placements (placement.get)">
              <Comparison have="Bound" held={report.placements.bound} {...report.placements} />
            </Section>
          ) : null}
          {report.robots ? (
            <Section id="robots-h" title="Robots (bizproc.robot.list)">
              <Comparison have="Registered" held={report.robots.registered} {...report.robots} />
            </Section>
          ) : null}
          <Section id="inbox-h" title="Queued work (events, robots)">
            <Row label="Waiting">{report.inbox.counts.pending + report.inbox.counts.running}</Row>
            <Row label="Done">{report.inbox.counts.done}</Row>
            <Row label="Stopped">{report.inbox.counts.dead}</Row>
            {report.inbox.dead.map((j) => (
              <Row key={j.id} label={`${j.name} (${j.attempts} attempts)`}>
                <span className="block font-normal text-red-700" data-testid="dead-job-error">{j.lastError ?? "no error recorded"}</span>
                <RetryJobButton id={j.id} />
              </Row>
            ))}
          </Section>
          <Section id="tokens-h" title="Token health">
            {tokens.map((t) => (
              <Token key={t.label} t={t} />
            ))}
          </Section>
        </div>
        <RestLogSection memberId={session.memberId} />
    </div>
  );
}
