import { parseQueryString } from "../form";
import { escapeHtml, html, redirect, type Incoming, type Reply } from "../http";
import { page } from "../pages";
import { str } from "../rest/params";
import { randomHex, type PortalState } from "../state";
import type { SeedUser } from "../types";

/**
 * Being signed in to the portal (https://apidocs.bitrix24.com/settings/oauth/index.html: "if the user is already
 * logged in, no form is shown"). Every portal shares the host 127.0.0.1 and browsers ignore ports for cookies, so
 * the cookie name carries the portal's port.
 */
const sessions = new WeakMap<PortalState, Map<string, number>>();

export function cookieName(portal: PortalState): string {
  return `b24_portal_${portal.port}`;
}

function readCookie(req: Incoming, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function signedInUser(portal: PortalState, req: Incoming): SeedUser | null {
  const token = readCookie(req, cookieName(portal));
  const id = token ? sessions.get(portal)?.get(token) : undefined;
  return id === undefined ? null : (portal.users.find((u) => u.id === id) ?? null);
}

/** The Set-Cookie header that signs `userId` in to the portal. */
export function signInCookie(portal: PortalState, userId: number): string {
  let m = sessions.get(portal);
  if (!m) sessions.set(portal, (m = new Map()));
  const token = randomHex(16);
  m.set(token, userId);
  return `${cookieName(portal)}=${token}; Path=/; HttpOnly; SameSite=Lax`;
}

export function withCookie(reply: Reply, cookie: string | null): Reply {
  return cookie ? { ...reply, headers: { ...reply.headers, "set-cookie": cookie } } : reply;
}

function safeBack(v: string | undefined): string {
  // Only paths on this portal: a login page must not become an open redirect.
  return v && v.startsWith("/") && !v.startsWith("//") && !v.includes("\\") ? v : "/";
}

/** The user chooser; `action` receives `user` (+ hidden fields) and signs that user in. */
export function userChooser(portal: PortalState, hidden: Record<string, string>, action: string, button: string): string {
  const options = portal.users
    .map((u) => `<option value="${u.id}">${escapeHtml(`${u.name} ${u.lastName}${u.admin ? " (administrator)" : ""}`)}</option>`)
    .join("");
  const inputs = Object.entries(hidden).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("");
  return `<form method="post" action="${escapeHtml(action)}">${inputs}
<label>Sign in as <select name="user">${options}</select></label>
<button type="submit">${escapeHtml(button)}</button></form>`;
}

/** GET /auth/ (login page), POST /auth/ (sign in), GET /auth/?logout=yes (sign out); `back_url` is followed after both. */
export function authPage(portal: PortalState, req: Incoming): Reply {
  const back = safeBack(req.query.back_url);
  if (req.query.logout === "yes") {
    const token = readCookie(req, cookieName(portal));
    if (token) sessions.get(portal)?.delete(token);
    return withCookie(redirect(back), `${cookieName(portal)}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  }
  if (req.method === "POST") {
    const form = parseQueryString(req.bodyText);
    const user = portal.users.find((u) => String(u.id) === str(form.user));
    if (!user) return html(400, page("Sign in", `<h1>Sign in</h1><p role="alert">Unknown user.</p>`));
    return withCookie(redirect(safeBack(str(form.back_url))), signInCookie(portal, user.id));
  }
  const current = signedInUser(portal, req);
  const who = current ? `<p>Signed in as ${escapeHtml(`${current.name} ${current.lastName}`)}. <a href="/auth/?logout=yes">Sign out</a></p>` : "";
  return html(200, page(`Sign in — ${portal.host}`, `<h1>${escapeHtml(portal.host)}</h1>${who}
${userChooser(portal, { back_url: back }, "/auth/", "Sign in")}`));
}
