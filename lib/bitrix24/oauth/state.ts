import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Binds the portal a person chose, and the configured OAuth server (region) the flow uses, to next-auth's `state`,
 * without another cookie: the state sent to the portal is `<next-auth state>.<binding>.<mac>`. Bitrix24 echoes
 * `state` unchanged, so at the callback we learn which portal and server the flow was started for, and a `domain` or
 * token response for any other portal is refused (this is what stops authorization-code injection: a code issued for
 * one portal replayed into a flow started for another). The server is one the app chose; the mac keeps it so.
 */
const MAC_BYTES = 16;

export interface StateBinding {
  host: string;
  /** Origin of the configured OAuth server whose client_id the authorize URL carried. */
  server: string;
}

function mac(key: Buffer, state: string, b: StateBinding): string {
  return createHmac("sha256", key).update(`b24-state-binding|${state}|${b.host}|${b.server}`).digest().subarray(0, MAC_BYTES).toString("base64url");
}

export function bindState(state: string, binding: StateBinding, key: Buffer): string {
  return `${state}.${Buffer.from(`${binding.host} ${binding.server}`, "utf8").toString("base64url")}.${mac(key, state, binding)}`;
}

export function openState(bound: string, key: Buffer): ({ state: string } & StateBinding) | null {
  const parts = bound.split(".");
  if (parts.length !== 3) return null;
  const [state, bindingB64, tag] = parts as [string, string, string];
  if (!state || !/^[A-Za-z0-9_-]{1,256}$/.test(state)) return null;
  const [host, server, ...rest] = Buffer.from(bindingB64, "base64url").toString("utf8").split(" ");
  if (!host || !server || rest.length > 0) return null;
  const binding = { host, server };
  const expected = Buffer.from(mac(key, state, binding));
  const given = Buffer.from(tag);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { state, ...binding };
}
