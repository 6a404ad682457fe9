"use client";
import { useFormatter, type createFormatter } from "next-intl";
import { useB24Query } from "@/components/b24-client";

type Formatter = Pick<ReturnType<typeof createFormatter>, "number" | "dateTime">;

/**
 * next-intl's formatter reports a bad currency to onError and prints the bare number, so the code is checked here
 * first: Intl takes any well-formed code (an unknown one such as a portal's own "XBT" is shown as the code itself).
 */
const CURRENCY_CODE = /^[A-Z]{3}$/;
const TWO_DECIMALS = { minimumFractionDigits: 2, maximumFractionDigits: 2 } as const;

/**
 * A deal's amount (OPPORTUNITY, a decimal string) in the deal's own currency (CURRENCY_ID), grouped and placed the
 * page language's way: "$1,234.50" in English, "1 234,50 $" in Russian, "1.234,50 $" in German. A currency id
 * Intl refuses is written after the number; no currency gives the bare number.
 */
export function formatMoney(format: Formatter, amount: string | number | null | undefined, currency: string | null | undefined): string {
  const n = Number(amount ?? 0);
  if (!Number.isFinite(n)) return "—";
  const code = (currency ?? "").trim().toUpperCase();
  if (CURRENCY_CODE.test(code)) return format.number(n, { style: "currency", currency: code });
  const plain = format.number(n, TWO_DECIMALS);
  return code ? `${plain} ${code}` : plain;
}

/** A Bitrix24 date (DATE_CREATE etc., ISO 8601 with the portal's offset) as a date in the page's language. */
export function formatDate(format: Formatter, value: string | null | undefined): string {
  const at = value ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? format.dateTime(at, { dateStyle: "medium" }) : "—";
}

/**
 * A typed amount ("1500", "99.90", or "99,90" as Russian and German write it) as the decimal string OPPORTUNITY
 * takes; null when it is not such a number.
 */
export function parseAmount(input: string): string | null {
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(input.trim());
  if (!m) return null;
  return m[2] ? `${m[1]}.${m[2]}` : m[1]!;
}

/** formatMoney and formatDate bound to the page's language. */
export function useDealFormat(): { money: (amount: string | null | undefined, currency: string | null | undefined) => string; date: (value: string | null | undefined) => string } {
  const format = useFormatter();
  return { money: (amount, currency) => formatMoney(format, amount, currency), date: (value) => formatDate(format, value) };
}

/**
 * Stage names from the portal (crm.status.list), for every pipeline: ENTITY_ID "DEAL_STAGE" is the default
 * pipeline, "DEAL_STAGE_<id>" the others. Until they load, or for a stage the portal does not list, the raw
 * STAGE_ID is shown. They are portal data in the portal's own language: callers mark them translate="no".
 */
export function useStageNames(): { name: (stageId: string | null | undefined) => string; loading: boolean } {
  const { data, loading } = useB24Query("crm.status.list", { order: { SORT: "ASC" } });
  const names = new Map<string, string>();
  for (const row of data?.result ?? []) {
    if (row.ENTITY_ID === "DEAL_STAGE" || row.ENTITY_ID.startsWith("DEAL_STAGE_")) names.set(row.STATUS_ID, row.NAME);
  }
  return { name: (id) => (id ? (names.get(id) ?? id) : "—"), loading };
}
