import { useFormatter, useTranslations } from "next-intl";
import type { Licence } from "@/lib/bitrix24/licence-state";
import { Row } from "./fact-row";
import { RICH, STAMP } from "./rich-tags";

/** The licence as rows of a <dl>: state, days left, when Bitrix24 was last asked, and a failed re-read if any. */
export function LicenceFacts({ licence }: { licence: Licence }) {
  const t = useTranslations("licence");
  const format = useFormatter();
  const days = licence.daysLeft;
  return (
    <>
      <Row label={t("facts.state")}>
        {t(`state.${licence.state}`)}
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
