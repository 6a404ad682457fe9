/**
 * The placement codes a portal declares, per REST scope (extensions §1.2, D:api-reference/widgets/placements.md).
 * The core looks a code up only among the token's scopes plus the global ones, so a CRM code without the `crm`
 * scope is as unknown as a typo. The emulator has no smart processes, so no `CRM_DYNAMIC_<n>_*` code exists.
 */
export type OptionType = "int" | "string";

export interface PlacementInfo {
  scope: string;
  /** Bound by other methods (userfieldtype.add, imconnector.register), never by placement.bind, never listed. */
  private?: boolean;
  /** Only one handler per app (per user for user-mode placements). */
  maxCount?: number;
  /** `USER_ID` allowed. */
  userMode?: boolean;
  /** prepareOptions whitelist; every other OPTIONS key is dropped. */
  options?: Record<string, OptionType>;
}

/** Scope key of placements every app may bind (the core's global scope). */
export const GLOBAL = "";

const CRM_ENTITIES = ["LEAD", "DEAL", "CONTACT", "COMPANY", "QUOTE", "SMART_INVOICE", "ORDER"];
const CRM_FAMILIES = ["DETAIL_TAB", "DETAIL_TOOLBAR", "DETAIL_ACTIVITY", "LIST_MENU", "LIST_TOOLBAR", "ACTIVITY_TIMELINE_MENU", "DOCUMENTGENERATOR_BUTTON"];
const IM_OPTIONS: Record<string, OptionType> = {
  iconName: "string", extranet: "string", context: "string", role: "string", color: "string", width: "int", height: "int",
};
const ACTIVITY_OPTIONS: Record<string, OptionType> = {
  useBuiltInInterface: "string", newUserNotificationTitle: "string", newUserNotificationText: "string",
};

function table(): Map<string, PlacementInfo> {
  const t = new Map<string, PlacementInfo>();
  const add = (scope: string, codes: string[], extra: Omit<PlacementInfo, "scope"> = {}) => {
    for (const c of codes) t.set(c, { scope, ...extra });
  };
  for (const e of CRM_ENTITIES) {
    for (const f of CRM_FAMILIES) add("crm", [`CRM_${e}_${f}`], f === "DETAIL_ACTIVITY" ? { options: ACTIVITY_OPTIONS } : {});
  }
  add("crm", ["CRM_ACTIVITY_LIST_MENU", "CRM_LEAD_ROBOT_DESIGNER_TOOLBAR", "CRM_DEAL_ROBOT_DESIGNER_TOOLBAR", "CRM_SMART_INVOICE_ROBOT_DESIGNER_TOOLBAR"]);
  add("crm", ["CRM_ANALYTICS_MENU", "CRM_ANALYTICS_TOOLBAR", "CRM_FUNNELS_TOOLBAR", "CRM_DETAIL_SEARCH", "CRM_REQUISITE_AUTOCOMPLETE", "CRM_BANK_DETAIL_AUTOCOMPLETE"]);
  add(GLOBAL, ["LEFT_MENU", "BI_ANALYTICS_MENU"]);
  add(GLOBAL, ["REST_APP_URI"], { maxCount: 1 });
  add(GLOBAL, ["PAGE_BACKGROUND_WORKER"], { maxCount: 1, userMode: true, options: { errorHandlerUrl: "string" } });
  // Messenger placements need only `placement` to register; `im` is needed to use the chat afterwards.
  add(GLOBAL, ["IM_TEXTAREA", "IM_SIDEBAR", "IM_CONTEXT_MENU", "IM_NAVIGATION", "IMMOBILE_CONTEXT_MENU"], { options: IM_OPTIONS });
  add(GLOBAL, ["USERFIELD_TYPE"], { private: true });
  add("task", ["TASK_VIEW_TAB", "TASK_VIEW_SIDEBAR", "TASK_VIEW_TOP_PANEL"], { options: { groupId: "string" } });
  add("task", ["TASK_LIST_CONTEXT_MENU", "TASK_USER_LIST_TOOLBAR", "TASK_GROUP_LIST_TOOLBAR", "TASK_ROBOT_DESIGNER_TOOLBAR"]);
  add("sonet_group", ["SONET_GROUP_DETAIL_TAB", "SONET_GROUP_TOOLBAR", "SONET_GROUP_ROBOT_DESIGNER_TOOLBAR"]);
  add("user", ["USER_PROFILE_MENU", "USER_PROFILE_TOOLBAR"]);
  add("telephony", ["CALL_CARD", "TELEPHONY_ANALYTICS_MENU"]);
  add("calendar", ["CALENDAR_GRIDVIEW"]);
  add("contact_center", ["CONTACT_CENTER"]);
  add("imopenlines", ["SETTING_CONNECTOR"], { private: true });
  return t;
}

export const PLACEMENTS = table();

/** Codes declared by these scopes (the global ones only when GLOBAL is among them). */
export function placementsIn(scopes: Iterable<string>): Map<string, PlacementInfo> {
  const wanted = new Set(scopes);
  return new Map([...PLACEMENTS].filter(([, info]) => wanted.has(info.scope)));
}

/** prepareOptions: whitelisted keys only, cast to int or string; anything else is dropped silently. */
export function prepareOptions(given: unknown, whitelist: Record<string, OptionType> | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (!whitelist || !given || typeof given !== "object" || Array.isArray(given)) return out;
  for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
    const type = whitelist[k];
    if (!type || v === null || typeof v === "object") continue;
    out[k] = type === "int" ? Math.trunc(Number(v)) || 0 : String(v);
  }
  return out;
}
