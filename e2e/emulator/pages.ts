import { escapeHtml, html, type Reply } from "./http";

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#223}main{max-width:40rem}</style></head>
<body><main>${body}</main></body></html>`;
}

export function errorPage(status: number, title: string, text: string): Reply {
  return html(status, page(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(text)}</p>`));
}
