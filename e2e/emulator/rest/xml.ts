import type { Reply } from "../http";
import { CORS_HEADERS } from "./envelope";

/**
 * The `.xml` transport as CRestServer::outputXml writes it: the whole envelope (or error) under `<response>`, no XML
 * declaration, list entries as `<item>`, scalars through xmlspecialchars (true → "1", false and null → "").
 */
function toXml(value: unknown): string {
  if (value === null || value === undefined || value === false) return "";
  if (value === true) return "1";
  if (typeof value !== "object") return escapeXml(String(value));
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries
    .map(([k, v]) => {
      const tag = /^\d+$/.test(k) ? "item" : k;
      return `<${tag}>${toXml(v)}</${tag}>`;
    })
    .join("");
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;" })[c] ?? c);
}

export function xmlReply(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "text/xml; charset=utf-8", ...CORS_HEADERS, ...headers },
    body: toXml({ response: body }),
  };
}
