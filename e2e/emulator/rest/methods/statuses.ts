import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { str } from "../params";
import { ok, PAGE_SIZE, register, type MethodResult } from "../registry";
import { buildFilter, buildOrder } from "./filter";

/**
 * The CRM directories an app needs to name a deal's stage: crm.status.list, crm.status.entity.items and the
 * deprecated crm.dealcategory.stage.list. Only the main deal pipeline (DEAL_STAGE) exists, with the rows of the
 * docs' crm.status.list example, which cover every STAGE_ID the seeded deals use (deal-data.ts) plus APOLOGY.
 */
interface Stage {
  id: number;
  statusId: string;
  name: string;
  sort: number;
  system: boolean;
  color: string;
  /** `S` success, `F` failure, null in progress (the EXTRA block spells it out). */
  semantics: "S" | "F" | null;
  extra: "process" | "success" | "failure" | "apology";
}

export const DEAL_STAGES: Stage[] = [
  { id: 101, statusId: "NEW", name: "New", sort: 10, system: true, color: "#39A8EF", semantics: null, extra: "process" },
  { id: 103, statusId: "PREPARATION", name: "Document preparation", sort: 20, system: false, color: "#2FC6F6", semantics: null, extra: "process" },
  { id: 105, statusId: "PREPAYMENT_INVOICE", name: "Prepayment invoice", sort: 30, system: false, color: "#55D0E0", semantics: null, extra: "process" },
  { id: 107, statusId: "EXECUTING", name: "In progress", sort: 40, system: false, color: "#47E4C2", semantics: null, extra: "process" },
  { id: 109, statusId: "FINAL_INVOICE", name: "Final invoice", sort: 50, system: false, color: "#FFA900", semantics: null, extra: "process" },
  { id: 111, statusId: "WON", name: "Deal successful", sort: 60, system: true, color: "#7BD500", semantics: "S", extra: "success" },
  { id: 113, statusId: "LOSE", name: "Deal failed", sort: 70, system: true, color: "#FF5752", semantics: "F", extra: "failure" },
  { id: 115, statusId: "APOLOGY", name: "Failure reason analysis", sort: 80, system: false, color: "#FF5752", semantics: "F", extra: "apology" },
];

const FIELDS = ["ID", "ENTITY_ID", "STATUS_ID", "NAME", "NAME_INIT", "SORT", "SYSTEM", "CATEGORY_ID", "COLOR", "SEMANTICS"];

function flat(s: Stage): Record<string, string | null> {
  return {
    ID: String(s.id), ENTITY_ID: "DEAL_STAGE", STATUS_ID: s.statusId, NAME: s.name, NAME_INIT: s.system ? s.name : "",
    SORT: String(s.sort), SYSTEM: s.system ? "Y" : "N", CATEGORY_ID: null, COLOR: s.color, SEMANTICS: s.semantics,
  };
}

function full(row: Record<string, string | null>): Record<string, unknown> {
  const s = DEAL_STAGES.find((x) => String(x.id) === row.ID);
  return { ...row, EXTRA: { SEMANTICS: s?.extra ?? "process", COLOR: row.COLOR } };
}

function statusList(_ctx: RestContext, p: Record<string, unknown>): MethodResult {
  const filter = p.filter ?? p.FILTER;
  const order = p.order ?? p.ORDER;
  if (filter !== undefined && (typeof filter !== "object" || filter === null || Array.isArray(filter))) {
    throw new RestError(400, "Invalid parameters.", "Incorrect parameters passed.");
  }
  const rows = DEAL_STAGES.map(flat).filter(buildFilter(filter, FIELDS)).sort(buildOrder(order, FIELDS));
  const start = Math.max(0, Number(str(p.start) ?? 0) || 0);
  const page = rows.slice(start, start + PAGE_SIZE).map(full);
  const out: MethodResult = { result: page, total: rows.length };
  if (start + page.length < rows.length) out.next = start + page.length;
  return out;
}

register(
  { name: "crm.status.list", scope: ["crm"], run: statusList },
  {
    name: "crm.status.entity.items",
    scope: ["crm"],
    run: (_ctx, p) => {
      const entityId = str(p.entityId ?? p.ENTITY_ID ?? p.entityid) ?? "";
      if (!entityId) throw new RestError(400, "The parameter entityId is not defined or invalid.", "The directory ID is not specified or is incorrect.");
      const items = entityId.toUpperCase() === "DEAL_STAGE" ? DEAL_STAGES : [];
      return ok([...items].sort((a, b) => a.sort - b.sort).map((s) => ({ NAME: s.name, SORT: s.sort, STATUS_ID: s.statusId })));
    },
  },
  {
    // Deprecated; "equivalent to crm.status.list with ENTITY_ID = crm.dealcategory.status(id)". Pipelines other than
    // the main one (id 0) do not exist here, so they return nothing.
    name: "crm.dealcategory.stage.list",
    scope: ["crm"],
    run: (ctx, p) => {
      const id = Number(str(p.id ?? p.ID) ?? 0) || 0;
      if (id > 0) return ok([]);
      return ok(statusList(ctx, { filter: { ENTITY_ID: "DEAL_STAGE" }, order: { SORT: "ASC" } }).result);
    },
  },
);
