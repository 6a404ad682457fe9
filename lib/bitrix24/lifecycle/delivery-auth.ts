import "server-only";
import { b24Config } from "../config";
import { findPortal, type PortalRow } from "../store/portals";
import { appTokenMatches } from "../tokens/app-token";
import { formString, type FormTree } from "./form";

/**
 * How a POST from Bitrix24's servers (an event delivery, a robot call) proves where it comes from: its
 * `auth[application_token]` equals, in constant time, the sealed token stored for `memberId` at install. Unknown
 * portal, no stored token, a missing or wrong value → null (the caller answers 403). An uninstalled portal keeps
 * its old token as a tombstone, so a replay still matches: callers decide what that portal may still do.
 */
export async function deliveryPortal(memberId: string, tree: FormTree): Promise<PortalRow | null> {
  const portal = await findPortal(memberId);
  const given = formString(tree, "auth", "application_token");
  if (!portal || !appTokenMatches(memberId, portal.applicationToken, given, b24Config().ring)) return null;
  return portal;
}
