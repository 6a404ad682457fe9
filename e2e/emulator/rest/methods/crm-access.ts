import type { SeedUser } from "../../types";
import { RestError } from "../envelope";
import type { CrmRow } from "./crm-entity";

/**
 * CRM read rights, modelled on Bitrix24's role level "own + open": administrators read everything; everyone else
 * reads the records they are responsible for (ASSIGNED_BY_ID) and those marked "available to everyone" (OPENED=Y).
 * Every seeded record is open, so only a test that closes one (control setDealAccess, or OPENED=N on a write)
 * restricts anything.
 */
export function canRead(user: SeedUser, row: CrmRow): boolean {
  return user.admin || row.OPENED !== "N" || row.ASSIGNED_BY_ID === String(user.id);
}

/** crm.deal.get's documented answer for a record the user may not read: 400, empty code. */
export const accessDenied = () => new RestError(400, "", "Access denied");
