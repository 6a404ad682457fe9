import { escapeHtml, html, type Reply } from "./http";

/** `wide`: portal pages that host app frames have no max-width, as in Bitrix24 (a 1280 px window gives ~1240 px). */
export function page(title: string, body: string, opts: { wide?: boolean; css?: string } = {}): string {
  const layout = opts.wide ? "body{margin:1.25rem}main{max-width:none}" : "main{max-width:40rem}";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#223}${layout}${opts.css ?? ""}</style></head>
<body><main>${body}</main></body></html>`;
}

export function errorPage(status: number, title: string, text: string): Reply {
  return html(status, page(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(text)}</p>`));
}
