import { toErrorBody } from "@/lib/errors";
import { log } from "@/lib/log";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Answers about one tenant: never stored by the browser or any shared cache (checklist item 16). */
export const PRIVATE_NO_STORE = "private, no-store";

/** JSON error answer: status and body come only from lib/errors.ts. */
export function errorJson(err: unknown): Response {
  const { status, body } = toErrorBody(err);
  if (status >= 500) log.error("http.error", { err });
  const headers: Record<string, string> = { "cache-control": PRIVATE_NO_STORE };
  if (body.error === "service_unavailable") headers["retry-after"] = "5";
  return Response.json(body, { status, headers });
}

/** A minimal HTML error for browser navigations that cannot render a React page (route handlers). */
export function errorPage(err: unknown): Response {
  const { status, body } = toErrorBody(err);
  if (status >= 500) log.error("http.error", { err });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Cannot connect</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#0f172a">
<h1 style="font-size:1.25rem">Cannot connect to Bitrix24</h1><p role="alert" data-error="${escapeHtml(body.error)}">${escapeHtml(body.message)}</p>
<p><a href="/">Back to the start page</a></p></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": PRIVATE_NO_STORE } });
}
