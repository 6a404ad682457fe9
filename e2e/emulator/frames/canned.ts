import type { PortalState } from "../state";

/**
 * Canned dialog answers (the portal's user/access/CRM pickers need a person; tests need a fixed pick). Shapes from
 * the extensions reference §2.2: selectUser `{id, name, photo, position, url, sub, sup}`, selectAccess `[{id, name}]`,
 * selectCRM buckets keyed by index ("0", "1", …), which b24jssdk turns into arrays.
 */
function userCard(u: PortalState["users"][number]) {
  return { id: String(u.id), name: `${u.name} ${u.lastName}`, photo: "", position: u.admin ? "Administrator" : "Employee", url: `/company/personal/user/${u.id}/`, sub: false, sup: false };
}

export function selectUser(portal: PortalState, params: Record<string, unknown>): unknown {
  const cards = portal.users.map(userCard);
  return params.mult === true || params.mult === "true" ? cards : (cards[0] ?? null);
}

export function selectAccess(portal: PortalState): unknown {
  return [{ id: "AU", name: "All authorized users" }, ...portal.users.map((u) => ({ id: `U${u.id}`, name: `${u.name} ${u.lastName}` }))];
}

const PICKS = 3;

function bucket<T>(rows: T[]): Record<string, T> {
  return Object.fromEntries(rows.map((r, i) => [String(i), r]));
}

/** The first deals/contacts of the portal (or the preselected `value` ids), one when not `multiple`. */
export function selectCRM(portal: PortalState, params: Record<string, unknown>): unknown {
  const types = Array.isArray(params.entityType) ? params.entityType.map(String) : ["lead", "contact", "company", "deal"];
  const count = params.multiple === true || params.multiple === "Y" || params.multiple === "true" ? PICKS : 1;
  const value = (params.value && typeof params.value === "object" ? params.value : {}) as Record<string, unknown>;
  const wanted = (type: string, all: number[]) => {
    const pre = Array.isArray(value[type]) ? (value[type] as unknown[]).map(Number).filter((id) => all.includes(id)) : [];
    return (pre.length ? pre : all).slice(0, count);
  };
  const out: Record<string, unknown> = {};
  if (types.includes("deal")) {
    const ids = wanted("deal", [...portal.deals.keys()]);
    if (ids.length) {
      out.deal = bucket(ids.map((id) => {
        const d = portal.deals.get(id)!;
        return { id: `D_${id}`, type: "deal", place: "deal", title: d.TITLE ?? "", desc: `${d.OPPORTUNITY ?? ""} ${d.CURRENCY_ID ?? ""}`.trim(), url: `/crm/deal/details/${id}/` };
      }));
    }
  }
  if (types.includes("contact")) {
    const ids = wanted("contact", [...portal.contacts.rows.keys()]);
    if (ids.length) {
      out.contact = bucket(ids.map((id) => {
        const c = portal.contacts.rows.get(id)!;
        return { id: `C_${id}`, type: "contact", place: "contact", title: `${c.NAME ?? ""} ${c.LAST_NAME ?? ""}`.trim(), desc: "", url: `/crm/contact/details/${id}/`, image: "" };
      }));
    }
  }
  return out;
}
