import { describe, expect, it } from "vitest";
import { B24Error } from "@/lib/errors";
import { listAll, type ListAllOptions, type ListBatch, type ListBatchResult } from "./list-all";
import type { Params } from "./methods";

/**
 * A stand-in for `batch` over an in-memory table that runs commands in order and resolves `$result[…]` references
 * the way the portal does (a whole-value reference takes the raw value; an unresolved one stays literal).
 * The emulator-backed run over 10,000 deals is in client.test.ts.
 */
function fakeBatch(ids: number[], opts: { wrap?: "items"; idField?: string; ignoreFilter?: boolean; failAt?: string } = {}) {
  const idField = opts.idField ?? "ID";
  const sent: Array<Record<string, readonly [string, Params]>> = [];
  const lookup = (results: Record<string, unknown>, ref: string): unknown => {
    const m = /^\$result\[([^\]]+)\]((?:\[[^\]]*\])*)$/.exec(ref);
    if (!m) return ref;
    let cur: unknown = results[m[1] ?? ""];
    for (const p of (m[2] ?? "").matchAll(/\[([^\]]*)\]/g)) {
      if (cur === null || typeof cur !== "object") return ref;
      cur = (cur as Record<string, unknown>)[p[1] ?? ""];
    }
    return cur ?? ref;
  };
  const batch: ListBatch = async (commands, { halt }) => {
    sent.push(commands);
    const out: ListBatchResult = { result: {}, result_error: {} };
    for (const [key, [, params]] of Object.entries(commands)) {
      if (key === opts.failAt) {
        out.result_error[key] = { error: "insufficient_scope", error_description: "" };
        if (halt) break;
        continue;
      }
      const filter = params.filter as Params;
      const after = Number(lookup(out.result, String(filter[`>${idField}`])));
      const rows = ids
        .filter((id) => opts.ignoreFilter || !Number.isFinite(after) || id > after)
        .slice(0, 50)
        .map((id) => ({ [idField]: String(id), TITLE: `Deal ${id}` }));
      out.result[key] = opts.wrap ? { items: rows } : rows;
    }
    return out;
  };
  return { batch, sent };
}

async function collect<T>(it: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const range = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);
const ids = (rows: Array<Record<string, unknown>>, field = "ID") => rows.map((r) => Number(r[field]));

describe("listAll", () => {
  it.each([
    ["empty", 0, 1],
    ["one short page", 7, 1],
    ["2,499 rows", 2499, 1],
    ["exactly 2,500 rows (one more request to see the end)", 2500, 2],
    ["2,501 rows", 2501, 2],
    ["10,000 rows", 10_000, 5],
  ])("%s: every row once (%i rows, %i requests)", async (_label, n, requests) => {
    const table = range(7, n, 3);
    const { batch, sent } = fakeBatch(table);
    const rows = await collect(listAll(batch, "crm.deal.list"));
    expect(ids(rows)).toEqual(table);
    expect(sent).toHaveLength(requests);
  });

  it("chains 50 commands by reference, with ID order, start=-1 and halt", async () => {
    const { batch, sent } = fakeBatch(range(1, 60));
    await collect(listAll(batch, "crm.deal.list", { filter: { STAGE_ID: "NEW" }, select: ["TITLE"] }));
    const first = sent[0]!;
    expect(Object.keys(first)).toHaveLength(50);
    expect(first.c0).toEqual([
      "crm.deal.list",
      { select: ["TITLE", "ID"], order: { ID: "ASC" }, filter: { STAGE_ID: "NEW", ">ID": 0 }, start: -1 },
    ]);
    expect(first.c1?.[1].filter).toEqual({ STAGE_ID: "NEW", ">ID": "$result[c0][49][ID]" });
    expect(first.c49?.[1].filter).toEqual({ STAGE_ID: "NEW", ">ID": "$result[c48][49][ID]" });
  });

  it("keeps a select that already has ID or *", async () => {
    for (const select of [["id", "TITLE"], ["*"]]) {
      const { batch, sent } = fakeBatch([]);
      await collect(listAll(batch, "crm.deal.list", { select }));
      expect(sent[0]?.c0?.[1].select).toEqual(select);
    }
  });

  it("turns a caller's >ID / >=ID into the starting point", async () => {
    const gt = fakeBatch(range(1, 200));
    expect(ids(await collect(listAll(gt.batch, "crm.deal.list", { filter: { ">ID": 150 } })))).toEqual(range(151, 50));
    const ge = fakeBatch(range(1, 200));
    expect(ids(await collect(listAll(ge.batch, "crm.deal.list", { filter: { ">=id": "150" } })))).toEqual(range(150, 51));
    expect(ge.sent[0]?.c0?.[1].filter).toEqual({ ">ID": 149 });
  });

  it.each([
    ["order", { order: { DATE_CREATE: "DESC" } }],
    ["ORDER in any case", { ORDER: { ID: "ASC" } }],
    ["start", { start: 50 }],
    ["a non-object filter", { filter: "x" }],
    ["a non-array select", { select: "ID" }],
    ["a non-numeric ID bound", { filter: { ">ID": "abc" } }],
  ])("refuses %s before sending anything", async (_label, params) => {
    const { batch, sent } = fakeBatch(range(1, 10));
    await expect(collect(listAll(batch, "crm.deal.list", params))).rejects.toMatchObject({ code: "bad_request" });
    expect(sent).toHaveLength(0);
  });

  it("supports {items: []} results (crm.item.list) with itemsKey and idField", async () => {
    const opts: ListAllOptions = { itemsKey: "items", idField: "id" };
    const { batch, sent } = fakeBatch(range(1, 120), { wrap: "items", idField: "id" });
    const rows = await collect(listAll(batch, "crm.item.list", { entityTypeId: 2 }, opts));
    expect(ids(rows, "id")).toEqual(range(1, 120));
    expect(sent[0]?.c1?.[1]).toMatchObject({ entityTypeId: 2, order: { id: "ASC" }, filter: { ">id": "$result[c0][items][49][id]" } });
  });

  it("refuses a wrapped result without itemsKey instead of guessing", async () => {
    const { batch } = fakeBatch(range(1, 10), { wrap: "items" });
    await expect(collect(listAll(batch, "crm.item.list"))).rejects.toMatchObject({ code: "upstream_unavailable" });
  });

  it("throws a failed command's error, but ignores failures after the last page", async () => {
    const early = fakeBatch(range(1, 500), { failAt: "c3" });
    const err = await collect(listAll(early.batch, "crm.deal.list")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(B24Error);
    expect(err).toMatchObject({ code: "forbidden", upstream: "insufficient_scope" });
    const late = fakeBatch(range(1, 120), { failAt: "c5" });
    expect(await collect(listAll(late.batch, "crm.deal.list"))).toHaveLength(120);
  });

  it("stops with an error instead of looping when the portal ignores the keyset filter", async () => {
    const { batch, sent } = fakeBatch(range(1, 500), { ignoreFilter: true });
    await expect(collect(listAll(batch, "crm.deal.list"))).rejects.toMatchObject({ code: "upstream_unavailable" });
    expect(sent).toHaveLength(1);
  });
});
