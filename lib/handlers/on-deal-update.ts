import type { EventHandler } from "@/lib/bitrix24/manifest";
import { rememberDeal } from "./on-deal-add";

/**
 * ONCRMDEALUPDATE (https://apidocs.bitrix24.com/api-reference/crm/deals/events/on-crm-deal-update.html), taken as an
 * offline event (`offline: true` in bitrix24.app.ts): Bitrix24 keeps the latest change per deal in its queue until
 * the app has stored it, so a change made while the app was down still arrives. Keeps the last changed deal in the
 * app's options, where the dashboard shows it.
 */
export const LAST_UPDATE_OPTION = "last_deal_updated";

export const onDealUpdate: EventHandler = rememberDeal(LAST_UPDATE_OPTION);
