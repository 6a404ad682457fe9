import { isoSec } from "../../clock";
import { demoDealTitle } from "./demo-data";

export type Deal = Record<string, string | null>;

interface DealHost {
  deals: Map<number, Deal>;
  nextDealId: number;
  /** When the portal has contacts, each seeded deal is linked to one of them (deal cards show a client). */
  contacts?: { rows: Map<number, unknown> };
}

const STAGES = ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE"];
const CURRENCIES = ["USD", "EUR", "RUB"];

export const DEAL_FIELDS = [
  "ID", "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "PROBABILITY", "CURRENCY_ID", "OPPORTUNITY", "COMPANY_ID",
  "CONTACT_ID", "BEGINDATE", "CLOSEDATE", "OPENED", "CLOSED", "COMMENTS", "ASSIGNED_BY_ID", "CREATED_BY_ID",
  "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "SOURCE_ID",
];

/** Deterministic pseudo-random numbers so two runs with the same seed size see the same data set. */
function pick(i: number, salt: number, n: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return Math.floor((x - Math.floor(x)) * n);
}

export function makeDeal(id: number, nowMs: number, fields: Record<string, unknown> = {}, userId = 1): Deal {
  const created = isoSec(nowMs);
  const deal: Deal = {
    ID: String(id), TITLE: `Deal #${id}`, TYPE_ID: "SALE", CATEGORY_ID: "0", STAGE_ID: "NEW", PROBABILITY: null,
    CURRENCY_ID: "USD", OPPORTUNITY: "0.00", COMPANY_ID: "0", CONTACT_ID: null, BEGINDATE: created, CLOSEDATE: created,
    OPENED: "Y", CLOSED: "N", COMMENTS: null, ASSIGNED_BY_ID: String(userId), CREATED_BY_ID: String(userId),
    MODIFY_BY_ID: String(userId), DATE_CREATE: created, DATE_MODIFY: created, SOURCE_ID: null,
  };
  applyFields(deal, fields);
  return deal;
}

/** Bitrix returns every scalar as a string; unknown fields are ignored like unknown UF_ fields. */
export function applyFields(deal: Deal, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    const key = k.toUpperCase();
    if (key === "ID" || !DEAL_FIELDS.includes(key)) continue;
    deal[key] = v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
}

/** `demo`: fictional but plausible titles (demo-data.ts) instead of `Deal #<id>`. */
export function seedDeals(host: DealHost, count: number, nowMs: number, demo = false): void {
  const dayMs = 86_400_000;
  const contactIds = [...(host.contacts?.rows.keys() ?? [])];
  for (let n = 0; n < count; n++) {
    const id = host.nextDealId++;
    const stage = STAGES[pick(id, 1, STAGES.length)] ?? "NEW";
    const created = nowMs - (count - n) * 60_000 - pick(id, 2, 30) * dayMs;
    const deal = makeDeal(id, created, {
      TITLE: demo ? demoDealTitle(id) : `Deal #${id}`,
      STAGE_ID: stage,
      CURRENCY_ID: CURRENCIES[pick(id, 3, CURRENCIES.length)],
      OPPORTUNITY: (pick(id, 4, 100000) + pick(id, 5, 100) / 100).toFixed(2),
      ASSIGNED_BY_ID: String(1 + pick(id, 6, 2)),
      CLOSED: stage === "WON" || stage === "LOSE" ? "Y" : "N",
      COMPANY_ID: String(pick(id, 7, 500)),
      CONTACT_ID: contactIds.length > 0 ? String(contactIds[pick(id, 8, contactIds.length)]) : null,
    });
    host.deals.set(id, deal);
  }
}
