import { B24Error } from "@/lib/errors";
import { classifyRest } from "./classify";
import type { Params } from "./methods";

/**
 * Every row of a list method, each exactly once, in as few HTTP requests as Bitrix24 allows (https://apidocs.bitrix24.com/api-reference/crm/deals/crm-deal-list.html, https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html): ID keyset paging with `start=-1` (no COUNT), fifty pages chained
 * inside one `batch`. Page k filters `>ID` on the last row of page k-1 through a `$result[c{k-1}][49][ID]` reference,
 * which the portal resolves after running page k-1, so one request reads up to 2,500 rows.
 *
 * Offsets (`start=50,100,…`) are not used: they count the whole table on every page and skip or repeat rows when
 * rows are added or deleted meanwhile; the keyset does neither.
 */
export interface ListAllOptions {
  /**
   * For methods that wrap rows in an object (`crm.item.list` → `{items: […]}`): the key holding the rows. Without
   * it the result must be the row array itself (`crm.deal.list`-shaped).
   */
  itemsKey?: string;
  /** The ID field name in rows, filter and order: `ID` for crm.deal.list, `id` for crm.item.list. */
  idField?: string;
}

export interface ListBatchResult {
  result: Record<string, unknown>;
  result_error: Record<string, { error: string; error_description: string }>;
}

export type ListBatch = (
  commands: Record<string, readonly [string, Params]>,
  opts: { halt: boolean },
) => Promise<ListBatchResult>;

const PAGE = 50;
const CHAIN = 50;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Plan {
  method: string;
  base: Params;
  filter: Params;
  idField: string;
  itemsKey?: string;
  startAfter: number;
}

function plan(method: string, params: Params, opts: ListAllOptions): Plan {
  const idField = opts.idField ?? "ID";
  if (!FIELD.test(idField) || (opts.itemsKey !== undefined && !FIELD.test(opts.itemsKey))) {
    throw new B24Error("bad_request", "listAll: idField and itemsKey must be plain field names.");
  }
  const base: Params = {};
  let filter: Params = {};
  for (const [key, value] of Object.entries(params)) {
    const k = key.toLowerCase();
    if (k === "order") throw new B24Error("bad_request", `listAll sorts by ${idField} ascending itself; remove "order" (sort the rows afterwards).`);
    if (k === "start") throw new B24Error("bad_request", 'listAll pages by itself; remove "start".');
    if (k === "filter") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new B24Error("bad_request", "listAll: filter must be an object.");
      filter = { ...(value as Params) };
    } else if (k === "select") {
      if (!Array.isArray(value)) throw new B24Error("bad_request", "listAll: select must be an array.");
      const names = value.map((v) => String(v).toUpperCase());
      // The keyset needs every row's ID, so a select without it gets it added.
      base.select = names.includes(idField.toUpperCase()) || names.includes("*") ? [...value] : [...value, idField];
    } else base[key] = value;
  }
  let startAfter = 0;
  for (const key of Object.keys(filter)) {
    const m = /^(>=?)(.+)$/.exec(key);
    if (!m || m[2]?.toUpperCase() !== idField.toUpperCase()) continue;
    // The keyset owns `>ID`; a caller's lower bound becomes its starting point instead.
    const bound = Number(filter[key]);
    if (!Number.isFinite(bound)) throw new B24Error("bad_request", `listAll: ${key} must be a number.`);
    startAfter = Math.max(startAfter, m[1] === ">=" ? bound - 1 : bound);
    delete filter[key];
  }
  return { method, base, filter, idField, itemsKey: opts.itemsKey, startAfter };
}

function chain(p: Plan, lastId: number): Record<string, readonly [string, Params]> {
  const commands: Record<string, readonly [string, Params]> = {};
  const rows = p.itemsKey ? `[${p.itemsKey}]` : "";
  for (let k = 0; k < CHAIN; k++) {
    const after = k === 0 ? lastId : `$result[c${k - 1}]${rows}[${PAGE - 1}][${p.idField}]`;
    commands[`c${k}`] = [
      p.method,
      { ...p.base, order: { [p.idField]: "ASC" }, filter: { ...p.filter, [`>${p.idField}`]: after }, start: -1 },
    ];
  }
  return commands;
}

function rowsOf(result: unknown, p: Plan): Array<Record<string, unknown>> {
  // PHP writes an empty result as [] whatever its usual shape.
  if (Array.isArray(result) && (result.length === 0 || !p.itemsKey)) return result as Array<Record<string, unknown>>;
  if (p.itemsKey && result && typeof result === "object") {
    const rows = (result as Params)[p.itemsKey];
    if (Array.isArray(rows)) return rows as Array<Record<string, unknown>>;
  }
  throw new B24Error(
    "upstream_unavailable",
    p.itemsKey ? `listAll: the result has no "${p.itemsKey}" array.` : "listAll: the result is not a row array; pass itemsKey for wrapped results.",
  );
}

function subError(e: { error: string; error_description: string }): B24Error {
  return new B24Error(classifyRest(e.error), e.error_description || "Bitrix24 returned an error.", { upstream: e.error || undefined });
}

export async function* listAll<T = Record<string, unknown>>(
  batch: ListBatch,
  method: string,
  params: Params = {},
  opts: ListAllOptions = {},
): AsyncGenerator<T> {
  const p = plan(method, params, opts);
  let lastId = p.startAfter;
  for (;;) {
    const res = await batch(chain(p, lastId), { halt: true });
    for (let k = 0; k < CHAIN; k++) {
      const key = `c${k}`;
      const err = res.result_error[key];
      if (err) throw subError(err);
      const rows = rowsOf(res.result[key], p);
      for (const row of rows) yield row as T;
      // A short page is the end; the commands after it ran on an unresolved reference and are ignored.
      if (rows.length < PAGE) return;
      const next = Number(rows[PAGE - 1]?.[p.idField]);
      // A portal that ignored the filter or order would otherwise make this loop forever.
      if (!Number.isFinite(next) || next <= lastId) {
        throw new B24Error("upstream_unavailable", `listAll: ${p.idField} did not increase; the method does not support keyset paging.`);
      }
      lastId = next;
    }
  }
}
