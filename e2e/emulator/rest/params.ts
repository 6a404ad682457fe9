import { parseBracketEntries, parseQueryString, type Params } from "../form";
import type { Incoming } from "../http";

/**
 * As the core's getRequestData: query parameters merged with the body; a JSON body is decoded only for
 * `application/json` (invalid JSON means no body params), multipart is read as form fields, anything else is
 * parsed as a query string.
 */
export async function readParams(req: Incoming): Promise<Params> {
  const query = parseQueryString(req.url.search.slice(1));
  if (req.method === "GET" || req.method === "HEAD" || req.bodyText === "") return query;
  let body: Params = {};
  if (req.contentType === "application/json") {
    try {
      const parsed: unknown = JSON.parse(req.bodyText);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = sanitize(parsed) as Params;
    } catch {
      body = {};
    }
  } else if (req.contentType === "multipart/form-data") {
    try {
      const form = await new Request("http://x/", {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body: req.bodyText,
      }).formData();
      const entries: Array<[string, string]> = [];
      form.forEach((v, k) => entries.push([k, typeof v === "string" ? v : v.name]));
      body = parseBracketEntries(entries);
    } catch {
      body = {};
    }
  } else {
    body = parseQueryString(req.bodyText);
  }
  return { ...query, ...body };
}

/** JSON.parse can create an own `__proto__` key; drop such keys so nothing downstream trips over them. */
function sanitize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sanitize);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "__proto__" && k !== "constructor" && k !== "prototype") out[k] = sanitize(x);
    return out;
  }
  return v;
}

export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** Case-insensitive lookup: Bitrix methods accept `id` and `ID` alike. */
export function param(params: Params, name: string): unknown {
  if (name in params) return params[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function truthy(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  const s = str(v)?.toLowerCase();
  return s === "1" || s === "true" || s === "y";
}
