import type { BrowserContext } from "@playwright/test";
import { e2e } from "./env";

/** Calls the REST proxy the way the app's own pages do (same-origin JSON + the proxy header), from Node. */
export interface ProxyAnswer {
  status: number;
  body: { result?: unknown; total?: number; next?: number; error?: string; message?: string; upstream?: string };
  headers: Headers;
}

export async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookies = await context.cookies(e2e.appUrl);
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

export async function callProxy(
  cookie: string,
  method: string,
  params: unknown = {},
  opts: { base?: string; headers?: Record<string, string> } = {},
): Promise<ProxyAnswer> {
  const res = await fetch(`${opts.base ?? e2e.appUrl}/api/b24/${method}`, {
    method: "POST",
    headers: { cookie, origin: e2e.appUrl, "content-type": "application/json", "x-b24-proxy": "1", ...opts.headers },
    body: typeof params === "string" ? params : JSON.stringify(params),
    redirect: "manual",
  });
  const text = await res.text();
  let body: ProxyAnswer["body"] = {};
  try {
    body = JSON.parse(text) as ProxyAnswer["body"];
  } catch {
    body = { error: `non-JSON: ${text.slice(0, 100)}` };
  }
  return { status: res.status, body, headers: res.headers };
}
