import { errorDetail } from "@/lib/error-messages";
import { toErrorBody } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/locales";
import { translator } from "@/lib/i18n/server";
import { log } from "@/lib/log";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Answers about one tenant: never stored by the browser or any shared cache (checklist item 16). */
export const PRIVATE_NO_STORE = "private, no-store";

/** JSON error answer: status and body come only from lib/errors.ts. The body stays English: it is an API. */
export function errorJson(err: unknown): Response {
  const { status, body } = toErrorBody(err);
  if (status >= 500) log.error("http.error", { err });
  const headers: Record<string, string> = { "cache-control": PRIVATE_NO_STORE };
  if (body.error === "service_unavailable") headers["retry-after"] = "5";
  return Response.json(body, { status, headers });
}

/** A minimal HTML page for route handlers' answers to a browser, which cannot render a React page. */
export function htmlPage(locale: Locale, title: string, body: string, status: number, headers: Record<string, string> = {}): Response {
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#0f172a">
${body}</body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": PRIVATE_NO_STORE, ...headers } });
}

/**
 * The HTML error for browser navigations (route handlers): what happened and what to do in the reader's language
 * (errors.<code>), the server's own English message as a detail when it adds something.
 */
export function errorPage(err: unknown, locale: Locale): Response {
  const { status, body } = toErrorBody(err);
  if (status >= 500) log.error("http.error", { err });
  const t = translator(locale);
  const text = t(`errors.${body.error}.text`);
  const said = errorDetail(body.error, body.message);
  const detail = said
    ? `\n<p style="font-size:0.875rem;color:#475569;overflow-wrap:anywhere">${escapeHtml(t("common.details"))} <span translate="no">${escapeHtml(said)}</span></p>`
    : "";
  return htmlPage(
    locale,
    t("frame.errorPage.title"),
    `<h1 style="font-size:1.25rem">${escapeHtml(t("frame.errorPage.heading"))}</h1>
<p role="alert" data-error="${escapeHtml(body.error)}"><strong>${escapeHtml(t(`errors.${body.error}.title`))}.</strong> ${escapeHtml(text)}</p>${detail}
<p><a href="/">${escapeHtml(t("common.backToStart"))}</a></p>`,
    status,
  );
}
