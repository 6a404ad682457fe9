import { applyContact, CONTACT_FIELDS, CONTACT_MULTI_FIELDS, makeContact } from "./contact-data";
import { registerCrmEntity } from "./crm-entity";

registerCrmEntity({
  entity: "contact",
  fields: CONTACT_FIELDS,
  multiFields: CONTACT_MULTI_FIELDS,
  table: (portal) => portal.contacts,
  make: makeContact,
  apply: applyContact,
});
