import http from "node:http";
import type { Emulator } from "@/e2e/emulator";
import { e2e } from "@/e2e/env";

/**
 * A signed-in app session over plain HTTP, the same requests the browser makes: next-auth's csrf + signin POST,
 * /api/b24/authorize, the portal's consent POST, then the callback that sets the session cookie.
 */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

function location(res: Response, base: string): string {
  const to = res.headers.get("location");
  if (res.status < 300 || res.status >= 400 || !to) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(to, base).toString();
}

export async function signInSession(appUrl: string, emu: Emulator, portalIndex = 0, userId = 1): Promise<string> {
  const portal = emu.portals[portalIndex];
  if (!portal) throw new Error("no such portal");
  const jar = new Jar();
  const get = async (url: string) => {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  const csrf = await get(`${appUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signin = await fetch(`${appUrl}/api/auth/signin/bitrix24?portal=${encodeURIComponent(portal.host)}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded", origin: e2e.appUrl },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${appUrl}/dashboard`, json: "true" }).toString(),
  });
  jar.take(signin);
  const { url } = (await signin.json()) as { url: string };
  const toPortal = location(await get(new URL(url, appUrl).toString()), appUrl);
  const state = new URL(toPortal).searchParams.get("state") ?? "";
  const consent = await fetch(`${portal.url}/oauth/authorize/`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: e2e.clientId, state, user: String(userId) }).toString(),
  });
  // The callback goes to the public URL (NEXTAUTH_URL); any instance can serve it.
  const callback = new URL(location(consent, portal.url));
  const done = await get(`${appUrl}${callback.pathname}${callback.search}`);
  if (done.status !== 302 || !jar.header().includes("session-token")) throw new Error(`sign-in failed: callback answered ${done.status}`);
  return jar.header();
}

// The load generator's own cost is in every figure, direct and proxied alike; node:http with kept-alive sockets
// costs about 1 ms less per call than fetch on the reference machine, so the app's share is what stands out.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST on a kept-alive connection (this module's agent unless one is given): status and body text. */
export function post(url: string, headers: Record<string, string>, body: string, via: http.Agent = agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, agent: via }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export function proxyCall(base: string, cookie: string, method: string, params: unknown = {}, via?: http.Agent): Promise<{ status: number; body: string }> {
  return post(
    `${base}/api/b24/${method}`,
    { cookie, origin: e2e.appUrl, "content-type": "application/json", "x-b24-proxy": "1" },
    JSON.stringify(params),
    via,
  );
}
