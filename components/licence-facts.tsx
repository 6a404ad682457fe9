import { useFormatter, useTranslations } from "next-intl";
import { Badge, type BadgeTone } from "@/components/ui";
import type { Licence, LicenceState } from "@/lib/bitrix24/licence-state";
import { Row } from "./fact-row";
import { RICH, STAMP } from "./rich-tags";

const TONE: Record<LicenceState, BadgeTone> = {
  free: "neutral", local: "neutral", trial: "info", paid: "success", subscription: "success", demo: "info", expired: "alert", unknown: "warning",
};

/** The licence as rows of a <dl>: state, days left, when Bitrix24 was last asked, and a failed re-read if any. */
export function LicenceFacts({ licence }: { licence: Licence }) {
  const t = useTranslations("licence");
  const format = useFormatter();
  const days = licence.daysLeft;
  return (
    <>
      <Row label={t("facts.state")}>
        <Badge tone={licence.expiring ? "warning" : TONE[licence.state]}>{t(`state.${licence.state}`)}</Badge>
        {licence.status ? ` ${t("facts.status", { status: licence.status })}` : null}
        {licence.expiring ? ` — ${t("facts.expiring")}` : null}
      </Row>
      <Row label={t("facts.daysLeft")}>
        {days === null
          ? t(licence.state === "free" || licence.state === "local" ? "facts.noEnd" : "facts.unknown")
          : days < 0
            ? t("facts.ended", { days, ago: -days })
            : format.number(days)}
      </Row>
      <Row label={t("facts.checkedAt")}>{licence.checkedAt ? format.dateTime(licence.checkedAt, STAMP) : t("facts.never")}</Row>
      {licence.family ? <Row label={t("facts.plan")}><span translate="no">{licence.family}</span></Row> : null}
      {licence.refreshFailed ? <Row label={t("facts.lastCheck")}>{t.rich("facts.failed", { ...RICH, reason: licence.refreshFailed })}</Row> : null}
    </>
  );
}
