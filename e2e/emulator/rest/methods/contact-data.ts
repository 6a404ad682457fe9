import { isoSec } from "../../clock";
import type { CrmRow, CrmTable } from "./crm-entity";
import { demoContact } from "./demo-data";

/** Contact fields as crm.contact.fields reports them (the scalar ones); EMAIL and PHONE are multi-fields. */
export const CONTACT_FIELDS = [
  "ID", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "POST", "COMPANY_ID", "TYPE_ID", "SOURCE_ID", "OPENED",
  "COMMENTS", "HAS_EMAIL", "HAS_PHONE", "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY",
];
export const CONTACT_MULTI_FIELDS = ["EMAIL", "PHONE"];

const FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Felix", "Galina", "Hans", "Irina", "Jonas"];
const LAST = ["Schmidt", "Ivanova", "Novak", "Rossi", "Kowalski", "Petrov", "Weber", "Smirnova", "Horvat", "Dubois"];

export function emptyContacts(): CrmTable {
  return { rows: new Map(), multi: new Map(), nextId: 1 };
}

export function applyContact(row: CrmRow, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    const key = k.toUpperCase();
    if (key === "ID" || key.startsWith("HAS_") || !CONTACT_FIELDS.includes(key)) continue;
    row[key] = v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
}

export function makeContact(id: number, nowMs: number, fields: Record<string, unknown> = {}, userId = 1): CrmRow {
  const created = isoSec(nowMs);
  const row: CrmRow = {
    ID: String(id), HONORIFIC: null, NAME: null, SECOND_NAME: null, LAST_NAME: null, POST: null, COMPANY_ID: null,
    TYPE_ID: "CLIENT", SOURCE_ID: null, OPENED: "Y", COMMENTS: null, HAS_EMAIL: "N", HAS_PHONE: "N",
    ASSIGNED_BY_ID: String(userId), CREATED_BY_ID: String(userId), MODIFY_BY_ID: String(userId), DATE_CREATE: created, DATE_MODIFY: created,
  };
  applyContact(row, fields);
  return row;
}

/** Deterministic contacts, each with a work e-mail, so list pages are predictable; `demo`: demo-data.ts's people. */
export function seedContacts(table: CrmTable, count: number, nowMs: number, demo = false): void {
  for (let n = 0; n < count; n++) {
    const id = table.nextId++;
    const name = FIRST[id % FIRST.length]!;
    const last = LAST[Math.floor(id / FIRST.length) % LAST.length]!;
    const person = demo ? demoContact(id) : { NAME: name, LAST_NAME: last, POST: id % 3 === 0 ? "Manager" : null, email: `${name}.${last}.${id}@example.test`.toLowerCase() };
    const row = makeContact(id, nowMs - (count - n) * 60_000, { NAME: person.NAME, LAST_NAME: person.LAST_NAME, POST: person.POST });
    row.HAS_EMAIL = "Y";
    table.rows.set(id, row);
    table.multi.set(id, { EMAIL: [{ ID: String(id), VALUE: person.email, VALUE_TYPE: "WORK", TYPE_ID: "EMAIL" }] });
  }
}
