import { isoSec } from "../../clock";
import type { Params } from "../../form";
import { fireEvent } from "../../lifecycle/events";
import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { param, str } from "../params";
import { ok, PAGE_SIZE, register, type MethodResult } from "../registry";
import { applyFields, DEAL_FIELDS, makeDeal, type Deal } from "./deal-data";
import { buildFilter, buildOrder, selectFields } from "./filter";

function dealId(params: Params): number {
  const raw = str(param(params, "id"));
  const id = Number(raw);
  if (!raw || !Number.isInteger(id) || id <= 0) throw new RestError(400, "", "ID is not defined or invalid.");
  return id;
}

function findDeal(ctx: RestContext, params: Params): Deal {
  const deal = ctx.portal.deals.get(dealId(params));
  if (!deal) throw new RestError(400, "", "Not found");
  return deal;
}

function fieldsOf(params: Params): Record<string, unknown> {
  const f = param(params, "fields");
  if (!f || typeof f !== "object" || Array.isArray(f)) throw new RestError(400, "", "Parameter 'fields' must be array.");
  return f as Record<string, unknown>;
}

/** Page of 50 from `start`; `start=-1` skips counting (no `total`, no `next`), as for huge data sets. */
function list(ctx: RestContext, params: Params): MethodResult {
  const test = buildFilter(param(params, "filter"), DEAL_FIELDS);
  const order = buildOrder(param(params, "order"), DEAL_FIELDS);
  const start = Number(str(param(params, "start")) ?? 0) || 0;
  const matched = [...ctx.portal.deals.values()].filter(test).sort(order);
  const select = param(params, "select");
  if (start < 0) return { result: matched.slice(0, PAGE_SIZE).map((d) => selectFields(d, select, DEAL_FIELDS)) };
  const page = matched.slice(start, start + PAGE_SIZE).map((d) => selectFields(d, select, DEAL_FIELDS));
  const out: MethodResult = { result: page, total: matched.length };
  if (start + page.length < matched.length) out.next = start + page.length;
  return out;
}

register(
  { name: "crm.deal.list", scope: ["crm"], run: list },
  { name: "crm.deal.get", scope: ["crm"], run: (ctx, p) => ok({ ...findDeal(ctx, p) }) },
  {
    name: "crm.deal.fields",
    scope: ["crm"],
    run: () => ok(Object.fromEntries(DEAL_FIELDS.map((f) => [f, { type: f.endsWith("ID") ? "integer" : "string", isReadOnly: f === "ID" }]))),
  },
  {
    name: "crm.deal.add",
    scope: ["crm"],
    run: (ctx, p) => {
      const fields = fieldsOf(p);
      const id = ctx.portal.nextDealId++;
      ctx.portal.deals.set(id, makeDeal(id, ctx.state.clock.nowMs(), fields, ctx.user.id));
      fireEvent(ctx.state, ctx.portal, "ONCRMDEALADD", { FIELDS: { ID: id } }, ctx.user.id);
      return ok(id);
    },
  },
  {
    name: "crm.deal.update",
    scope: ["crm"],
    run: (ctx, p) => {
      const deal = findDeal(ctx, p);
      applyFields(deal, fieldsOf(p));
      deal.DATE_MODIFY = isoSec(ctx.state.clock.nowMs());
      deal.MODIFY_BY_ID = String(ctx.user.id);
      fireEvent(ctx.state, ctx.portal, "ONCRMDEALUPDATE", { FIELDS: { ID: Number(deal.ID) } }, ctx.user.id);
      return ok(true);
    },
  },
  {
    name: "crm.deal.delete",
    scope: ["crm"],
    run: (ctx, p) => {
      const deal = findDeal(ctx, p);
      ctx.portal.deals.delete(Number(deal.ID));
      fireEvent(ctx.state, ctx.portal, "ONCRMDEALDELETE", { FIELDS: { ID: Number(deal.ID) } }, ctx.user.id);
      return ok(true);
    },
  },
);
