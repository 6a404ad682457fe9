import { registerCrmEntity } from "./crm-entity";
import { applyFields, DEAL_FIELDS, makeDeal } from "./deal-data";

registerCrmEntity({
  entity: "deal",
  fields: DEAL_FIELDS,
  table: (portal) => ({
    rows: portal.deals,
    multi: new Map(),
    get nextId() {
      return portal.nextDealId;
    },
    set nextId(id: number) {
      portal.nextDealId = id;
    },
  }),
  make: makeDeal,
  apply: applyFields,
});
