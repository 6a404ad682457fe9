"use client";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { useB24Query, type B24Method, type B24Params, type B24Result } from "@/components/b24-client";
import { CallError } from "@/components/call-error";
import { usePortal } from "@/components/portal-context";
import { Button } from "@/components/ui/button";
import { SpinnerIcon } from "@/components/ui/loading";

/** Bitrix24's fixed list page size. */
const PAGE = 50;

export interface Column<Row> {
  /** Also the column's React key: unique within a list. */
  header: string;
  cell: (row: Row) => ReactNode;
  align?: "right";
  /** Hidden on narrow screens. */
  wide?: boolean;
}

type ListMethod = { [M in B24Method]: B24Result<M> extends Array<infer _R> ? (B24Params<M> extends { start?: number } ? M : never) : never }[B24Method];
type RowOf<M extends ListMethod> = B24Result<M> extends Array<infer R> ? R : never;

/** What a list says about its own entity, from the caller's messages. */
export interface ListLabels {
  title: string;
  /** The table's caption for screen readers. */
  caption: string;
  loading: string;
  empty: string;
  /** The heading of the error box. */
  failed: string;
}

/**
 * A Bitrix24 list as a paged table: 50 rows a page from `start`, "from–to of total", Previous/Next from the
 * answer's `next`, and the error, loading and empty states. `params` must not contain `start`. The pager's words
 * are the deals namespace's (the first list); the entity's own words come in `labels`.
 */
export function EntityList<M extends ListMethod>({
  method, params, columns, labels,
}: {
  method: M;
  params: Omit<B24Params<M>, "start">;
  columns: Array<Column<RowOf<M>>>;
  labels: ListLabels;
}) {
  const t = useTranslations("deals.pager");
  const portal = usePortal();
  const [start, setStart] = useState(0);
  const list = useB24Query(method, { ...params, start } as B24Params<M>);
  const rows = (list.data?.result ?? []) as unknown as Array<RowOf<M> & { ID: string }>;
  const total = list.data?.total;
  const from = total === 0 ? 0 : start + 1;
  const to = start + rows.length;
  const cellClass = (c: Column<RowOf<M>>) => `px-6 ${c.align === "right" ? "text-right tabular-nums" : ""} ${c.wide ? "hidden sm:table-cell" : ""}`;

  return (
    <section aria-labelledby={`${method}-h`} className="rounded-2xl border border-slate-200 bg-white shadow-sm">
      <div className="flex items-center justify-between gap-4 border-b border-slate-100 px-6 py-4">
        <h2 id={`${method}-h`} className="font-semibold">{labels.title}</h2>
        <p className="text-sm text-slate-500" aria-live="polite">{list.data && total !== undefined ? t("range", { from, to, total }) : ""}</p>
      </div>
      {list.error ? <CallError title={labels.failed} error={list.error} portal={portal} onRetry={list.reload} /> : null}
      <div aria-busy={list.loading} className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{labels.caption}</caption>
          <thead className="bg-slate-50 text-xs tracking-wide text-slate-500 uppercase">
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col" className={`${cellClass(c)} py-2 font-medium`}>{c.header}</th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {list.loading && !list.data ? (
              <tr>
                <td colSpan={columns.length} className="px-6 py-8 text-center text-slate-500">
                  {/* No role="status" here: the forms beside a list own the page's one status line. */}
                  <span className="inline-flex items-center gap-2"><SpinnerIcon className="size-5 text-accent" />{labels.loading}</span>
                </td>
              </tr>
            ) : null}
            {list.data && rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-6 py-8 text-center text-slate-500">{labels.empty}</td>
              </tr>
            ) : null}
            {rows.map((row) => (
              <tr key={row.ID} className="hover:bg-slate-50">
                {columns.map((c) => (
                  <td key={c.header} className={`${cellClass(c)} py-2.5`}>{c.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label={t("label")} className="flex justify-between border-t border-slate-100 px-6 py-3">
        <Button variant="secondary" size="sm" disabled={start === 0 || list.loading} onClick={() => setStart(Math.max(0, start - PAGE))}>
          {t("previous")}
        </Button>
        <Button variant="secondary" size="sm" disabled={list.data?.next === undefined || list.loading} onClick={() => list.data?.next !== undefined && setStart(list.data.next)}>
          {t("next")}
        </Button>
      </nav>
    </section>
  );
}
