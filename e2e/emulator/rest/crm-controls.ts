import { NotFoundError, type PortalState } from "../state";
import type { DealAccess, DealAccessRequest, TimelineEntry } from "../types";
import { commentRow } from "./methods/timeline";

/** Test-control side of the CRM emulation; EmulatorControl delegates here. */
export function timelineOf(portal: PortalState, entityType: string, entityId: number): TimelineEntry[] {
  const type = entityType.toLowerCase();
  return portal.timeline
    .filter((c) => c.entityType === type && c.entityId === Number(entityId))
    .sort((a, b) => a.id - b.id)
    .map((c) => commentRow(c) as unknown as TimelineEntry);
}

export function setDealAccess(portal: PortalState, dealId: number, req: DealAccessRequest): DealAccess {
  const deal = portal.deals.get(Number(dealId));
  if (!deal) throw new NotFoundError(`unknown deal ${dealId}`);
  deal.OPENED = req.private ? "N" : "Y";
  if (req.assignedById !== undefined) {
    if (!portal.users.some((u) => u.id === Number(req.assignedById))) throw new NotFoundError(`unknown user ${req.assignedById}`);
    deal.ASSIGNED_BY_ID = String(req.assignedById);
  }
  return { id: Number(dealId), opened: deal.OPENED === "Y", assignedById: Number(deal.ASSIGNED_BY_ID) };
}
