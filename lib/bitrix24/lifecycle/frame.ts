import "server-only";
import { NextResponse } from "next/server";
import { mintSessionCookie, type PortalSession } from "@/lib/auth";
import { CSP_HEADER, frameAncestors } from "@/lib/http/csp";
import { errorPage, escapeHtml, htmlPage, PRIVATE_NO_STORE } from "@/lib/http/responses";
import { env } from "@/lib/env";
import { localeCookie } from "@/lib/i18n/cookie";
import { matchLocale, type Locale } from "@/lib/i18n/locales";
import { localeOfRequest } from "@/lib/i18n/resolve";
import { translator } from "@/lib/i18n/server";
import { log } from "@/lib/log";
import { b24Config } from "../config";
import { B24Error } from "@/lib/errors";
import { authenticateFrame, checkAppToken, claimedOrigin, readFramePost, type FrameIdentity, type FramePost } from "./frame-post";
import { persistInstall } from "./install";
import { placementTarget } from "./placements";
import { portalStatusAfter } from "./states";
import { saveConnection } from "../store/connections";
import { findPortal } from "../store/portals";
import { loadHealth } from "../store/token-store";

/**
 * The app URL and the install URL (https://apidocs.bitrix24.com/settings/oauth/simple-way.html, https://apidocs.bitrix24.com/settings/app-installation/installation-finish.html): what the portal's frame POSTs to. Each starts a
 * NEW app session for the person the OAuth server vouched for (never reusing the browser's previous session, which
 * may belong to another portal or user) and answers only to that portal's frame (CSP frame-ancestors).
 */
function framed(res: Response, origin: string | null): Response {
  res.headers.set(CSP_HEADER, frameAncestors(origin));
  res.headers.set("cache-control", PRIVATE_NO_STORE);
  return res;
}

async function sessionRedirect(id: FrameIdentity, post: FramePost, path: string): Promise<Response> {
  const cookie = await mintSessionCookie(id.profile);
  const res = new NextResponse(null, { status: 303, headers: { location: path } });
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  // The portal says which language its user reads on every open; it wins over an earlier choice in this browser.
  const locale = matchLocale(post.lang);
  if (locale) {
    const lc = localeCookie(env().NEXTAUTH_URL);
    res.cookies.set(lc.name, locale, lc.options);
  }
  return framed(res, id.portalOrigin);
}

/**
 * Both handlers: parse → verify → act; every failure becomes an error page the portal's frame may show, in the
 * language the portal posted (LANG) once the POST is read, before that in the request's.
 */
async function handleFrame(req: Request, act: (post: FramePost, id: FrameIdentity) => Promise<string>): Promise<Response> {
  const cfg = b24Config();
  let origin: string | null = null;
  let locale: Locale | null = null;
  try {
    const post = await readFramePost(req);
    locale = matchLocale(post.lang);
    origin = claimedOrigin(post, cfg);
    const id = await authenticateFrame(post, cfg);
    origin = id.portalOrigin;
    return await sessionRedirect(id, post, await act(post, id));
  } catch (err) {
    return framed(errorPage(err, locale ?? localeOfRequest(req)), origin);
  }
}

/** LANG is the person's Bitrix24 UI language: two lower-case letters, stored even when the app does not speak it. */
function userRow(id: FrameIdentity, post: FramePost) {
  const { profile } = id;
  return { name: profile.name, email: profile.email, isAdmin: profile.isAdmin, ...(/^[a-z]{2}$/.test(post.lang) ? { language: post.lang } : {}) };
}

function requireRefreshToken(post: FramePost): string {
  if (!post.refreshId || post.refreshId.length > 512) throw new B24Error("bad_request", "Bitrix24 sent no refresh token. Open the app from Bitrix24 again.");
  return post.refreshId;
}

/**
 * App URL and placement handler URL: the opening user's own pair is stored (kind "user"), then the page the
 * placement asks for (placements.ts placementTarget: the dashboard for the app itself). The open is Bitrix24's word
 * that the app works on this portal, so it lifts a block (lifecycle/states.ts "frame_open"). An administrator's open
 * whose installer pair is dead or missing stores the posted pair as the installer's instead, so background work
 * resumes without a reinstall; the administrator then acts with it (clients.ts actingOwner) until their next open.
 * A non-administrator's open never does.
 */
export function openApp(req: Request): Promise<Response> {
  return handleFrame(req, async (post, id) => {
    const { verified: v, profile } = id;
    const cfg = b24Config();
    const portal = await findPortal(v.memberId);
    checkAppToken(v.memberId, portal?.applicationToken, post.applicationToken, cfg);
    portalStatusAfter(portal?.status, "frame_open");
    const target = placementTarget(post.placement, post.placementOptions);
    const refreshToken = requireRefreshToken(post);
    const installer = portal?.installedBy == null ? null : await loadHealth({ memberId: v.memberId, kind: "portal", bitrixUserId: portal.installedBy });
    const seed = profile.isAdmin && installer?.status !== "active";
    await saveConnection(
      {
        memberId: v.memberId,
        vouched: v,
        event: "frame_open",
        user: { bitrixUserId: profile.bitrixUserId, profile: userRow(id, post) },
        pair: { kind: seed ? "portal" : "user", accessToken: post.authId, refreshToken, expiresAt: new Date(Date.now() + post.authExpiresSec * 1000) },
        seedInstaller: seed,
      },
      cfg,
    );
    if (seed) log.info("b24.install.installer_reseeded", { memberId: v.memberId, installedBy: profile.bitrixUserId });
    return target;
  });
}

/**
 * Install URL (admins only): the portal and the installing admin's pair (kind "portal") are stored, then the
 * install page binds the events and calls installFinish. While the install is unfinished the posted
 * APPLICATION_TOKEN is the new installation's (reinstall and update issue a new one), so it is stored, not
 * compared; once finished, a different token is refused like on the app URL.
 */
export function installApp(req: Request): Promise<Response> {
  return handleFrame(req, async (post, id) => {
    const { verified: v, profile } = id;
    const cfg = b24Config();
    if (!profile.isAdmin) throw new B24Error("forbidden", "Only a Bitrix24 administrator can install this app. Ask your administrator to open it.");
    if (v.installed) checkAppToken(v.memberId, (await findPortal(v.memberId))?.applicationToken, post.applicationToken, cfg);
    await persistInstall({
      verified: v,
      accessToken: post.authId,
      refreshToken: requireRefreshToken(post),
      expiresAt: new Date(Date.now() + post.authExpiresSec * 1000),
      applicationToken: post.applicationToken,
      installedBy: profile.bitrixUserId,
      profile: userRow(id, post),
    });
    return post.appSid ? `/install?sid=${post.appSid}` : "/install";
  });
}

/** GET on the app or install URL: a person typed it; only the portal's POST means something here. */
export function openFromPortalPage(req: Request): Response {
  const locale = localeOfRequest(req);
  const t = translator(locale);
  const text = t.markup("frame.openFromPortal.text", { link: (chunks) => `<a href="/">${chunks}</a>` });
  const body = `<h1 style="font-size:1.25rem">${escapeHtml(t("frame.openFromPortal.heading"))}</h1><p>${text}</p>`;
  return framed(htmlPage(locale, t("frame.openFromPortal.title"), body, 405, { allow: "POST" }), null);
}

/** The origin of the signed-in person's portal, from the stored (OAuth-server-vouched) client_endpoint. */
export async function sessionPortalOrigin(session: PortalSession): Promise<string | null> {
  const portal = await findPortal(session.memberId);
  return portal ? new URL(portal.clientEndpoint).origin : null;
}
