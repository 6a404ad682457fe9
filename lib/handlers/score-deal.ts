import type { RobotContext, RobotResult } from "@/lib/bitrix24/manifest";
import type { Deal } from "@/lib/bitrix24/types";

/**
 * The `score_deal` robot ("Score the deal"): reads the deal the automation runs on back through REST as the
 * installer (the robot call only names it) and scores it: one point per full 1,000 of the deal's amount, times the
 * step's `weight`, capped at SCORE_CAP. Bitrix24 hands `score` to the next steps of the automation. Read-only, so
 * running it twice for one call (the inbox runs jobs at least once) is harmless.
 */
export const SCORE_CAP = 1000;
/** Weights outside 0…MAX_WEIGHT are clamped. */
export const MAX_WEIGHT = 100;

export function scoreOf(opportunity: string | null | undefined, weight: number): number {
  const amount = typeof opportunity === "string" && /^\d{1,15}(\.\d{1,4})?$/.test(opportunity) ? Number(opportunity) : 0;
  const w = Math.min(MAX_WEIGHT, Math.max(0, weight));
  return Math.min(SCORE_CAP, Math.floor(amount / 1000) * w);
}

export async function scoreDeal({ dealId, properties, b24 }: RobotContext): Promise<RobotResult> {
  if (dealId === undefined) throw new Error("score_deal runs on deals only.");
  // The route checked the shape (an int); an empty value means the step kept no weight: the default, 1.
  const raw = properties.weight ?? "";
  const weight = raw === "" ? 1 : Number(raw);
  if (!Number.isSafeInteger(weight)) throw new Error("score_deal: weight must be a whole number.");
  const { result: deal } = await b24.call<Deal>("crm.deal.get", { id: dealId });
  return { score: scoreOf(deal.OPPORTUNITY, weight) };
}
