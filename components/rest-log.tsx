import { recentRestLog, restLogSettings, type RestLogEntry } from "@/lib/bitrix24";

/** The page shows this much of a body; the download has all of what is stored. */
const SHOWN_BODY_CHARS = 4000;

const time = (d: Date) => d.toISOString().replace("T", " ").slice(0, 19);

function Body({ label, text }: { label: string; text: string }) {
  const shown = text.length > SHOWN_BODY_CHARS ? `${text.slice(0, SHOWN_BODY_CHARS)}… (the download has the rest)` : text || "(none)";
  return (
    <div className="mt-2">
      <p className="text-xs font-medium text-slate-500">{label}</p>
      <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs break-all whitespace-pre-wrap text-slate-800">{shown}</pre>
    </div>
  );
}

function Entry({ row }: { row: RestLogEntry }) {
  const failed = row.status !== 200;
  return (
    <li data-testid="rest-log-row" data-request-id={row.requestId}>
      <details>
        <summary className="grid cursor-pointer grid-cols-[10rem_1fr_3.5rem_4.5rem_1fr_10rem] gap-3 py-1.5 text-xs hover:bg-slate-50">
          <span className="text-slate-500">{time(row.at)}</span>
          <span className="font-medium break-all text-slate-900">{row.method}</span>
          <span className={failed ? "text-red-700" : "text-slate-700"}>{row.status || "none"}</span>
          <span className="text-slate-700">{row.durationMs} ms</span>
          <span className="break-all text-red-700">{row.errorCode ?? ""}</span>
          <span className="font-mono break-all text-slate-500">{row.requestId}</span>
        </summary>
        <div className="pb-3 pl-4">
          <p className="text-xs text-slate-500">User {row.bitrixUserId ?? "unknown"}; {row.bytes} bytes stored</p>
          <Body label="Request (parameters; credentials removed)" text={row.request} />
          <Body label="Response" text={row.response} />
        </div>
      </details>
    </li>
  );
}

/** The doctor's REST log (lib/bitrix24/rest-log.ts): this portal's newest requests and the download. Admins only. */
export async function RestLogSection({ memberId }: { memberId: string }) {
  const { days } = restLogSettings();
  const rows = days > 0 ? await recentRestLog(memberId) : [];
  return (
    <section aria-labelledby="rest-log-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="rest-log-h" className="font-semibold">REST log</h2>
        {days > 0 ? (
          <a href="/api/doctor/rest-log" download className="text-sm font-medium text-brand-700 hover:underline">
            Download (JSON lines)
          </a>
        ) : null}
      </div>
      <p className="mt-1 text-sm text-slate-600">
        {days > 0
          ? `Every request this app sent to your portal is kept ${days} day(s), tokens and secrets removed. The newest ${rows.length} (times in UTC); open one for its bodies.`
          : "Off: B24_REST_LOG_DAYS is 0, so no requests are kept."}
      </p>
      {rows.length ? (
        <ul aria-label="REST log entries" className="mt-3 divide-y divide-slate-100">
          <li aria-hidden className="grid grid-cols-[10rem_1fr_3.5rem_4.5rem_1fr_10rem] gap-3 py-1.5 text-xs font-medium text-slate-500">
            <span>Time</span><span>Method</span><span>Status</span><span>Duration</span><span>Error</span><span>Request id</span>
          </li>
          {rows.map((row) => (
            <Entry key={row.requestId} row={row} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
