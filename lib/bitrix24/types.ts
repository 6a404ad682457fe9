/**
 * Bitrix24's row shapes as the REST API returns them: every scalar is a string (or null), field names are upper
 * case. Shared by the manifest (bitrix24.app.ts), pages and handlers. https://apidocs.bitrix24.com/api-reference/crm/
 */
export interface Deal {
  ID: string;
  TITLE: string;
  OPPORTUNITY: string | null;
  CURRENCY_ID: string | null;
  STAGE_ID: string | null;
  DATE_CREATE: string | null;
  CATEGORY_ID?: string | null;
  CONTACT_ID?: string | null;
}

/** A row of crm.status.list: a reference value such as a deal stage (ENTITY_ID "DEAL_STAGE", or "DEAL_STAGE_<category>"). */
export interface CrmStatus {
  ID: string;
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  SORT: string | number;
  SEMANTICS?: string | null;
  CATEGORY_ID?: string | number | null;
}

/** crm.timeline.comment.add: a comment on a CRM item's timeline. */
export interface TimelineCommentAdd {
  fields: { ENTITY_ID: number; ENTITY_TYPE: "deal" | "lead" | "contact" | "company"; COMMENT: string };
}

/** A multi-field value (EMAIL, PHONE): a list of typed entries. */
export interface MultiField {
  ID?: string;
  VALUE: string;
  VALUE_TYPE: string;
}

export interface Contact {
  ID: string;
  NAME: string | null;
  LAST_NAME: string | null;
  POST: string | null;
  EMAIL?: MultiField[];
  PHONE?: MultiField[];
  DATE_CREATE: string | null;
}

export interface User {
  ID: string;
  NAME?: string;
  LAST_NAME?: string;
  EMAIL?: string;
  ADMIN?: boolean;
}

/** The list methods' parameters: 50 rows a page from `start` (https://apidocs.bitrix24.com/api-reference/performance/huge-data.html). */
export interface ListParams<Row> {
  select?: Array<keyof Row | "*">;
  filter?: Record<string, unknown>;
  order?: Partial<Record<keyof Row, "ASC" | "DESC">>;
  start?: number;
}

export interface AddParams<Row> {
  fields: Partial<Omit<Row, "ID">>;
}

export interface Company {
  ID: string;
  TITLE: string;
  COMPANY_TYPE: string | null;
  INDUSTRY: string | null;
  EMAIL?: MultiField[];
  PHONE?: MultiField[];
  DATE_CREATE: string | null;
}

export interface Lead {
  ID: string;
  TITLE: string;
  NAME: string | null;
  LAST_NAME: string | null;
  STATUS_ID: string | null;
  OPPORTUNITY: string | null;
  CURRENCY_ID: string | null;
  EMAIL?: MultiField[];
  PHONE?: MultiField[];
  DATE_CREATE: string | null;
}
