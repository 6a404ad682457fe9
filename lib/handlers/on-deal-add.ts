import type { EventHandler } from "@/lib/bitrix24/manifest";
import type { Deal } from "@/lib/bitrix24/types";

/**
 * ONCRMDEALADD (https://apidocs.bitrix24.com/api-reference/crm/deals/events/on-crm-deal-add.html): the delivery
 * names the deal by `data[FIELDS][ID]` only, so the handler reads it back through REST and keeps the last one added
 * in the app's portal-wide options (app.option.set), where the dashboard shows it. The id is untrusted input until
 * Bitrix24 answers for it.
 */
export const LAST_DEAL_OPTION = "last_deal_added";

export interface LastDeal {
  id: string;
  title: string;
  at: string;
}

/** A handler that reads the event's deal back and keeps it under `option` in the app's portal-wide options. */
export function rememberDeal(option: string): EventHandler {
  return async ({ data, b24 }) => {
    const fields = data.FIELDS;
    const id = fields && typeof fields === "object" ? fields.ID : undefined;
    if (typeof id !== "string" || !/^\d{1,12}$/.test(id)) return;
    const { result: deal } = await b24.call<Deal>("crm.deal.get", { id });
    const last: LastDeal = { id: deal.ID, title: String(deal.TITLE ?? "").slice(0, 200), at: new Date().toISOString() };
    await b24.call("app.option.set", { options: { [option]: JSON.stringify(last) } });
  };
}

export const onDealAdd: EventHandler = rememberDeal(LAST_DEAL_OPTION);
