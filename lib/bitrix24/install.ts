import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { sealAppToken } from "./app-token";
import { b24Config } from "./config";
import { isB24Error } from "./errors";
import { clientFor } from "./index";
import { storeIssuedPair } from "./token-store";
import type { VerifiedToken } from "./verify";

/**
 * MINIMAL STAND-IN written by the frame half so it can build and test against the agreed signatures; the events
 * half owns this file and its version replaces this one on merge.
 */
export interface InstallInput {
  verified: VerifiedToken;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  applicationToken: string | null;
  installedBy: number;
}

export async function persistInstall(input: InstallInput): Promise<void> {
  const cfg = b24Config();
  const { verified: v } = input;
  const now = new Date();
  const portal = {
    domain: v.portalHost,
    clientEndpoint: v.clientEndpoint,
    serverEndpoint: `${cfg.oauthServer}/rest/`,
    scope: v.scope,
    appStatus: v.appStatus,
    status: "active",
    statusReason: null,
    installedBy: input.installedBy,
    installedAt: now,
    uninstalledAt: null,
    ...(input.applicationToken ? { applicationToken: sealAppToken(v.memberId, input.applicationToken, cfg.ring) } : {}),
  };
  await db().$transaction(async (tx) => {
    await tx.portal.upsert({ where: { memberId: v.memberId }, create: { memberId: v.memberId, ...portal }, update: portal });
    await tx.user.upsert({
      where: { memberId_bitrixUserId: { memberId: v.memberId, bitrixUserId: input.installedBy } },
      create: { memberId: v.memberId, bitrixUserId: input.installedBy, isAdmin: true },
      update: { isAdmin: true },
    });
    await storeIssuedPair(
      { memberId: v.memberId, kind: "portal", bitrixUserId: input.installedBy, accessToken: input.accessToken, refreshToken: input.refreshToken, expiresAt: input.expiresAt },
      tx,
    );
  });
}

export const APP_EVENTS: readonly string[] = ["ONAPPUPDATE", "ONAPPUNINSTALL"];

export async function bindAppEvents(memberId: string): Promise<{ bound: string[]; already: string[] }> {
  const portal = await db().portal.findUnique({ where: { memberId }, select: { installedBy: true } });
  if (portal?.installedBy == null) throw new Error("bindAppEvents: the portal has no installer");
  const b24 = clientFor({ memberId, kind: "portal", bitrixUserId: portal.installedBy });
  const handler = `${env().NEXTAUTH_URL.replace(/\/+$/, "")}/api/b24/events`;
  const out = { bound: [] as string[], already: [] as string[] };
  for (const event of APP_EVENTS) {
    try {
      await b24.call("event.bind", { event, handler });
      out.bound.push(event);
    } catch (err) {
      if (isB24Error(err) && /already/i.test(err.message)) out.already.push(event);
      else throw err;
    }
  }
  return out;
}
