import { useFormatter, useTranslations } from "next-intl";
import { getTranslations } from "next-intl/server";
import { RICH } from "@/components/rich-tags";
import { recentRestLog, restLogSettings, type RestLogEntry } from "@/lib/bitrix24";

/** The page shows this much of a body; the download has all of what is stored. */
const SHOWN_BODY_CHARS = 4000;
const COLUMNS = "grid grid-cols-[10rem_1fr_3.5rem_4.5rem_1fr_10rem] gap-3 py-1.5 text-xs";

function Body({ label, text }: { label: string; text: string }) {
  const t = useTranslations("restLog");
  const shown = text.length > SHOWN_BODY_CHARS ? t("truncated", { text: text.slice(0, SHOWN_BODY_CHARS) }) : text || t("emptyBody");
  return (
    <div className="mt-2">
      <p className="text-xs font-medium text-slate-500">{label}</p>
      <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs break-all whitespace-pre-wrap text-slate-800">{shown}</pre>
    </div>
  );
}

function Entry({ row }: { row: RestLogEntry }) {
  const t = useTranslations("restLog");
  const format = useFormatter();
  const failed = row.status !== 200;
  const user = row.bitrixUserId === null ? t("unknownUser") : String(row.bitrixUserId);
  return (
    <li data-testid="rest-log-row" data-request-id={row.requestId}>
      <details>
        <summary className={`${COLUMNS} cursor-pointer hover:bg-slate-50`}>
          <span className="text-slate-500">{format.dateTime(row.at, { dateStyle: "short", timeStyle: "medium" })}</span>
          <span className="font-medium break-all text-slate-900" translate="no">{row.method}</span>
          <span className={failed ? "text-red-700" : "text-slate-700"}>{row.status ? format.number(row.status, { useGrouping: false }) : t("noStatus")}</span>
          <span className="text-slate-700">{format.number(row.durationMs, { style: "unit", unit: "millisecond" })}</span>
          <span className="break-all text-red-700" translate="no">{row.errorCode ?? ""}</span>
          <span className="font-mono break-all text-slate-500" translate="no">{row.requestId}</span>
        </summary>
        <div className="pb-3 pl-4">
          <p className="text-xs text-slate-500">
            {t.rich("stored", { ...RICH, user, size: format.number(row.bytes, { style: "unit", unit: "byte", unitDisplay: "long" }) })}
          </p>
          <Body label={t("request")} text={row.request} />
          <Body label={t("response")} text={row.response} />
        </div>
      </details>
    </li>
  );
}

/** The doctor's REST log (lib/bitrix24/rest-log.ts): this portal's newest requests and the download. Admins only. */
export async function RestLogSection({ memberId }: { memberId: string }) {
  const { days } = restLogSettings();
  const rows = days > 0 ? await recentRestLog(memberId) : [];
  const t = await getTranslations("restLog");
  return (
    <section aria-labelledby="rest-log-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="rest-log-h" className="font-semibold">{t("title")}</h2>
        {days > 0 ? (
          <a href="/api/doctor/rest-log" download className="text-sm font-medium text-brand-700 hover:underline">
            {t("download")}
          </a>
        ) : null}
      </div>
      <p className="mt-1 text-sm text-slate-600">{days > 0 ? t("intro", { days, count: rows.length }) : t.rich("off", RICH)}</p>
      {rows.length ? (
        <ul aria-label={t("entries")} className="mt-3 divide-y divide-slate-100">
          <li aria-hidden className={`${COLUMNS} font-medium text-slate-500`}>
            <span>{t("column.time")}</span>
            <span>{t("column.method")}</span>
            <span>{t("column.status")}</span>
            <span>{t("column.duration")}</span>
            <span>{t("column.error")}</span>
            <span>{t("column.requestId")}</span>
          </li>
          {rows.map((row) => (
            <Entry key={row.requestId} row={row} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
