import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Binds the portal a person chose to next-auth's `state`, without another cookie: the state sent to the portal
 * is `<next-auth state>.<portal host>.<mac>`. Bitrix24 echoes `state` unchanged, so at the callback we learn which
 * portal the flow was started for, and a `domain` or token response for any other portal is refused (this is what
 * stops authorization-code injection: a code issued for one portal replayed into a flow started for another).
 */
const MAC_BYTES = 16;

function mac(key: Buffer, state: string, host: string): string {
  return createHmac("sha256", key).update(`b24-state-binding|${state}|${host}`).digest().subarray(0, MAC_BYTES).toString("base64url");
}

export function bindState(state: string, host: string, key: Buffer): string {
  return `${state}.${Buffer.from(host, "utf8").toString("base64url")}.${mac(key, state, host)}`;
}

export function openState(bound: string, key: Buffer): { state: string; host: string } | null {
  const parts = bound.split(".");
  if (parts.length !== 3) return null;
  const [state, hostB64, tag] = parts as [string, string, string];
  if (!state || !/^[A-Za-z0-9_-]{1,256}$/.test(state)) return null;
  const host = Buffer.from(hostB64, "base64url").toString("utf8");
  const expected = Buffer.from(mac(key, state, host));
  const given = Buffer.from(tag);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { state, host };
}
