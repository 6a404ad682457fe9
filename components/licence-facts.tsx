import type { Licence } from "@/lib/bitrix24/licence-state";
import { Row } from "./fact-row";

/** What a licence state means to a person (lib/bitrix24/licence-state.ts). */
export const LICENCE_LABEL: Record<Licence["state"], string> = {
  free: "free app",
  local: "local app",
  trial: "trial",
  paid: "paid",
  subscription: "subscription",
  demo: "demo",
  expired: "expired",
  unknown: "unknown",
};

const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

function daysText(l: Licence): string {
  if (l.daysLeft === null) return l.state === "free" || l.state === "local" ? "no end" : "unknown";
  return l.daysLeft < 0 ? `${l.daysLeft} (ended ${-l.daysLeft} day(s) ago)` : String(l.daysLeft);
}

/** The licence as rows of a <dl>: state, days left, when Bitrix24 was last asked, and a failed re-read if any. */
export function LicenceFacts({ licence }: { licence: Licence }) {
  return (
    <>
      <Row label="State">
        {LICENCE_LABEL[licence.state]}
        {licence.status ? ` (STATUS ${licence.status})` : ""}
        {licence.expiring ? " — ends soon, renew now" : ""}
      </Row>
      <Row label="Days left">{daysText(licence)}</Row>
      <Row label="Checked at">{when(licence.checkedAt)}</Row>
      {licence.family ? <Row label="Portal plan">{licence.family}</Row> : null}
      {licence.refreshFailed ? <Row label="Last check">failed ({licence.refreshFailed}); showing the previous answer</Row> : null}
    </>
  );
}
