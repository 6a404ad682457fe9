import { isoSec } from "../../clock";
import type { Params } from "../../form";
import { fireEvent } from "../../lifecycle/events";
import type { PortalState } from "../../state";
import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { param, str } from "../params";
import { ok, PAGE_SIZE, register, type MethodResult } from "../registry";
import { accessDenied, canRead } from "./crm-access";
import { buildFilter, buildOrder, selectFields } from "./filter";

/**
 * One CRM entity's `crm.<entity>.list/get/fields/add/update/delete` with the envelope, filters and paging Bitrix24
 * gives every CRM list (https://apidocs.bitrix24.com/api-reference/crm/): pages of 50 from `start`, `total` and
 * `next`, `start=-1` without counting; writes fire ONCRM<ENTITY>ADD/UPDATE/DELETE with `data[FIELDS][ID]`.
 * Multi-fields (EMAIL, PHONE) are lists of {ID, VALUE, VALUE_TYPE}, returned only when selected by name.
 */
export type CrmRow = Record<string, string | null>;
export type MultiValue = { ID: string; VALUE: string; VALUE_TYPE: string; TYPE_ID: string };

export interface CrmTable {
  rows: Map<number, CrmRow>;
  multi: Map<number, Record<string, MultiValue[]>>;
  nextId: number;
}

export interface CrmEntitySpec {
  /** `deal` → crm.deal.*, ONCRMDEAL*. */
  entity: string;
  fields: readonly string[];
  multiFields?: readonly string[];
  table: (portal: PortalState) => CrmTable;
  make: (id: number, nowMs: number, fields: Record<string, unknown>, userId: number) => CrmRow;
  apply: (row: CrmRow, fields: Record<string, unknown>) => void;
}

function idOf(params: Params): number {
  const raw = str(param(params, "id"));
  const id = Number(raw);
  if (!raw || !Number.isInteger(id) || id <= 0) throw new RestError(400, "", "ID is not defined or invalid.");
  return id;
}

function fieldsOf(params: Params): Record<string, unknown> {
  const f = param(params, "fields");
  if (!f || typeof f !== "object" || Array.isArray(f)) throw new RestError(400, "", "Parameter 'fields' must be array.");
  return f as Record<string, unknown>;
}

/** Bitrix24 takes a multi-field as a list (or a PHP-style keyed object) of {VALUE, VALUE_TYPE}. */
function multiOf(value: unknown, typeId: string, nextId: () => number): MultiValue[] {
  const list = Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : [];
  return list
    .filter((v): v is Record<string, unknown> => !!v && typeof v === "object" && typeof (v as Record<string, unknown>).VALUE === "string")
    .map((v) => ({ ID: String(nextId()), VALUE: String(v.VALUE).slice(0, 255), VALUE_TYPE: typeof v.VALUE_TYPE === "string" ? v.VALUE_TYPE : "WORK", TYPE_ID: typeId }));
}

export function registerCrmEntity(spec: CrmEntitySpec): void {
  const prefix = `crm.${spec.entity}`;
  const event = `ONCRM${spec.entity.toUpperCase()}`;
  const multiFields = spec.multiFields ?? [];
  let multiSeq = 1;

  function find(ctx: RestContext, params: Params): { id: number; row: CrmRow } {
    const id = idOf(params);
    const row = spec.table(ctx.portal).rows.get(id);
    if (!row) throw new RestError(400, "", "Not found");
    if (!canRead(ctx.user, row)) throw accessDenied();
    return { id, row };
  }

  function output(table: CrmTable, id: number, row: CrmRow, select: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = selectFields(row, select, spec.fields);
    const wanted = (Array.isArray(select) ? select : []).map((s) => String(s).toUpperCase());
    for (const f of multiFields) if (wanted.includes(f)) out[f] = table.multi.get(id)?.[f] ?? [];
    return out;
  }

  function writeMulti(table: CrmTable, id: number, row: CrmRow, fields: Record<string, unknown>): void {
    if (multiFields.length === 0) return;
    const current = table.multi.get(id) ?? {};
    for (const f of multiFields) {
      const given = Object.entries(fields).find(([k]) => k.toUpperCase() === f)?.[1];
      if (given !== undefined) current[f] = multiOf(given, f, () => multiSeq++);
      row[`HAS_${f}`] = (current[f]?.length ?? 0) > 0 ? "Y" : "N";
    }
    table.multi.set(id, current);
  }

  function list(ctx: RestContext, params: Params): MethodResult {
    const table = spec.table(ctx.portal);
    const test = buildFilter(param(params, "filter"), spec.fields);
    const order = buildOrder(param(params, "order"), spec.fields);
    const start = Number(str(param(params, "start")) ?? 0) || 0;
    // Records the user may not read are left out, as the core's permission filter does, so `total` counts only the rest.
    const matched = [...table.rows.values()].filter((r) => test(r) && canRead(ctx.user, r)).sort(order);
    const select = param(params, "select");
    const rows = (from: number) => matched.slice(from, from + PAGE_SIZE).map((r) => output(table, Number(r.ID), r, select));
    if (start < 0) return { result: rows(0) };
    const page = rows(start);
    const out: MethodResult = { result: page, total: matched.length };
    if (start + page.length < matched.length) out.next = start + page.length;
    return out;
  }

  register(
    { name: `${prefix}.list`, scope: ["crm"], run: list },
    {
      name: `${prefix}.get`,
      scope: ["crm"],
      run: (ctx, p) => {
        const { id, row } = find(ctx, p);
        return ok(output(spec.table(ctx.portal), id, row, ["*", ...multiFields]));
      },
    },
    {
      name: `${prefix}.fields`,
      scope: ["crm"],
      run: () => ok(Object.fromEntries([...spec.fields, ...multiFields].map((f) => [f, { type: multiFields.includes(f) ? "crm_multifield" : f.endsWith("ID") ? "integer" : "string", isReadOnly: f === "ID", isMultiple: multiFields.includes(f) }]))),
    },
    {
      name: `${prefix}.add`,
      scope: ["crm"],
      run: (ctx, p) => {
        const fields = fieldsOf(p);
        const table = spec.table(ctx.portal);
        const id = table.nextId++;
        const row = spec.make(id, ctx.state.clock.nowMs(), fields, ctx.user.id);
        table.rows.set(id, row);
        writeMulti(table, id, row, fields);
        fireEvent(ctx.state, ctx.portal, `${event}ADD`, { FIELDS: { ID: id } }, ctx.user.id, ctx);
        return ok(id);
      },
    },
    {
      name: `${prefix}.update`,
      scope: ["crm"],
      run: (ctx, p) => {
        const { id, row } = find(ctx, p);
        const fields = fieldsOf(p);
        spec.apply(row, fields);
        writeMulti(spec.table(ctx.portal), id, row, fields);
        row.DATE_MODIFY = isoSec(ctx.state.clock.nowMs());
        row.MODIFY_BY_ID = String(ctx.user.id);
        fireEvent(ctx.state, ctx.portal, `${event}UPDATE`, { FIELDS: { ID: id } }, ctx.user.id, ctx);
        return ok(true);
      },
    },
    {
      name: `${prefix}.delete`,
      scope: ["crm"],
      run: (ctx, p) => {
        const { id } = find(ctx, p);
        const table = spec.table(ctx.portal);
        table.rows.delete(id);
        table.multi.delete(id);
        fireEvent(ctx.state, ctx.portal, `${event}DELETE`, { FIELDS: { ID: id } }, ctx.user.id, ctx);
        return ok(true);
      },
    },
  );
}
