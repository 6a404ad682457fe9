"use client";
import { useB24Query } from "@/components/b24-client";

/** An amount in the deal's own currency, the way Bitrix24 shows it. */
export function money(amount: string | null | undefined, currency: string | null | undefined): string {
  const n = Number(amount ?? 0);
  if (!Number.isFinite(n)) return "—";
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency || "USD", maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency ?? ""}`.trim();
  }
}

/**
 * Stage names from the portal (crm.status.list), for every pipeline: ENTITY_ID "DEAL_STAGE" is the default
 * pipeline, "DEAL_STAGE_<id>" the others. Until they load, or for a stage the portal does not list, the raw
 * STAGE_ID is shown.
 */
export function useStageNames(): { name: (stageId: string | null | undefined) => string; loading: boolean } {
  const { data, loading } = useB24Query("crm.status.list", { order: { SORT: "ASC" } });
  const names = new Map<string, string>();
  for (const row of data?.result ?? []) {
    if (row.ENTITY_ID === "DEAL_STAGE" || row.ENTITY_ID.startsWith("DEAL_STAGE_")) names.set(row.STATUS_ID, row.NAME);
  }
  return { name: (id) => (id ? (names.get(id) ?? id) : "—"), loading };
}
