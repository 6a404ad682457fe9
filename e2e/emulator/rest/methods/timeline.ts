import { isoSec } from "../../clock";
import type { PortalState, TimelineComment } from "../../state";
import type { RestContext } from "../auth";
import { RestError } from "../envelope";
import { str } from "../params";
import { ok, PAGE_SIZE, register, type MethodResult } from "../registry";
import { canRead } from "./crm-access";
import type { CrmRow } from "./crm-entity";
import { buildOrder, selectFields } from "./filter";

/**
 * crm.timeline.comment.add/get/list/fields (D:api-reference/crm/timeline/comments/). `add` validates the owner
 * record and the user's right to it; errors are 400 with the documented codes (`add`) or an empty code (`get`,
 * `list`). The descriptions of OWNER_NOT_FOUND, INVALID_ARG_VALUE and 100 are not documented and are chosen here.
 * Files are not emulated: FILES is always empty.
 */
type P = Record<string, unknown>;

const FIELDS = ["ID", "CREATED", "ENTITY_ID", "ENTITY_TYPE", "AUTHOR_ID", "COMMENT", "FILES"];
const fail = (code: string, description: string) => new RestError(400, code, description);

/** The CRM records a comment can belong to; other documented types (lead, company, order…) are not emulated. */
function owner(portal: PortalState, entityType: string, entityId: number): CrmRow | undefined {
  if (entityType === "deal") return portal.deals.get(entityId);
  if (entityType === "contact") return portal.contacts.rows.get(entityId);
  return undefined;
}

function flatRow(c: TimelineComment): Record<string, string> {
  return {
    ID: String(c.id), ENTITY_ID: String(c.entityId), ENTITY_TYPE: c.entityType, CREATED: c.created,
    COMMENT: c.comment, AUTHOR_ID: String(c.authorId),
  };
}

/** The documented record shape; FILES is the docs' empty object because files are not emulated. */
export function commentRow(c: TimelineComment): Record<string, unknown> {
  return { ...flatRow(c), FILES: {} };
}

function add(ctx: RestContext, p: P) {
  // Since crm 23.100.0 only the lower-case `fields` key is accepted.
  const f = p.fields;
  if (!f || typeof f !== "object" || Array.isArray(f)) throw fail("100", "Required fields are not provided");
  const fields = Object.fromEntries(Object.entries(f).map(([k, v]) => [k.toUpperCase(), v]));
  const entityId = Number(str(fields.ENTITY_ID));
  const entityType = str(fields.ENTITY_TYPE)?.toLowerCase() ?? "";
  if (!Number.isInteger(entityId) || entityId <= 0 || !entityType) throw fail("100", "Required fields are not provided");
  const row = owner(ctx.portal, entityType, entityId);
  if (!row) throw fail(entityType === "deal" || entityType === "contact" ? "NOT_FOUND" : "OWNER_NOT_FOUND", entityType === "deal" || entityType === "contact" ? "Not found." : "Owner of the item not found");
  if (!canRead(ctx.user, row)) throw fail("ACCESS_DENIED", "Access denied.");
  const comment = str(fields.COMMENT) ?? "";
  if (comment.trim() === "") throw fail("INVALID_ARG_VALUE", "Empty comment");
  const authorId = Number(str(fields.AUTHOR_ID)) || ctx.user.id;
  const id = ctx.portal.nextTimelineId++;
  ctx.portal.timeline.push({ id, entityType, entityId, authorId, comment, created: isoSec(ctx.state.clock.nowMs()) });
  return ok(id);
}

function readable(ctx: RestContext, c: TimelineComment): boolean {
  const row = owner(ctx.portal, c.entityType, c.entityId);
  return !row || canRead(ctx.user, row);
}

function get(ctx: RestContext, p: P) {
  const id = Number(str(p.id ?? p.ID));
  if (!Number.isInteger(id) || id <= 0) throw fail("", "ID is not defined or invalid.");
  const c = ctx.portal.timeline.find((x) => x.id === id);
  if (!c) throw fail("", "Not found.");
  if (!readable(ctx, c)) throw fail("", "Access denied.");
  return ok(commentRow(c));
}

function list(ctx: RestContext, p: P): MethodResult {
  const filter = (p.filter && typeof p.filter === "object" ? p.filter : {}) as P;
  const upper = Object.fromEntries(Object.entries(filter).map(([k, v]) => [k.replace(/^=/, "").toUpperCase(), v]));
  const entityId = Number(str(upper.ENTITY_ID));
  const entityType = str(upper.ENTITY_TYPE)?.toLowerCase() ?? "";
  if (!Number.isInteger(entityId) || entityId <= 0 || !entityType) throw fail("", "ENTITY_ID and ENTITY_TYPE are required in filter.");
  const row = owner(ctx.portal, entityType, entityId);
  if (row && !canRead(ctx.user, row)) throw fail("", "Access denied.");
  const orderIn = p.order && typeof p.order === "object" ? Object.fromEntries(Object.entries(p.order).filter(([k]) => ["ID", "CREATED", "AUTHOR_ID"].includes(k.toUpperCase()))) : undefined;
  const rows = ctx.portal.timeline
    .filter((c) => c.entityType === entityType && c.entityId === entityId)
    .map(flatRow)
    .sort(buildOrder(orderIn, FIELDS));
  const wanted = (Array.isArray(p.select) ? p.select : []).map((x) => String(x).toUpperCase());
  const start = Math.max(0, Number(str(p.start) ?? 0) || 0);
  const page = rows.slice(start, start + PAGE_SIZE).map((r) => {
    const picked: Record<string, unknown> = selectFields(r, p.select, FIELDS);
    if (wanted.length === 0 || wanted.includes("*") || wanted.includes("FILES")) picked.FILES = {};
    return picked;
  });
  const out: MethodResult = { result: page, total: rows.length };
  if (start + page.length < rows.length) out.next = start + page.length;
  return out;
}

const field = (type: string, title: string, extra: Partial<Record<"isRequired" | "isReadOnly" | "isImmutable" | "isMultiple", boolean>> = {}) => ({
  type, isRequired: false, isReadOnly: false, isImmutable: false, isMultiple: false, isDynamic: false, title, ...extra,
});

register(
  { name: "crm.timeline.comment.add", scope: ["crm"], run: add },
  { name: "crm.timeline.comment.get", scope: ["crm"], run: get },
  { name: "crm.timeline.comment.list", scope: ["crm"], run: list },
  {
    name: "crm.timeline.comment.fields",
    scope: ["crm"],
    run: () => ok({
      ID: field("integer", "ID", { isReadOnly: true }),
      CREATED: field("datetime", "Date Added", { isReadOnly: true }),
      ENTITY_ID: field("integer", "ID of the item the comment is linked to", { isRequired: true, isImmutable: true }),
      ENTITY_TYPE: field("string", "Type of the item the comment is linked to", { isRequired: true, isImmutable: true }),
      AUTHOR_ID: field("integer", "Author", { isImmutable: true }),
      COMMENT: field("string", "Comment text"),
      FILES: field("attached_diskfile", "List of files", { isMultiple: true }),
    }),
  },
);
