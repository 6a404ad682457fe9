import { safeEqual } from "@/lib/safe-equal";
import { decryptToken, encryptToken, TokenDecryptError, type KeyRing } from "./crypto";

/**
 * The portal's application_token: the shared secret that authenticates Bitrix24's events (and is echoed as
 * APPLICATION_TOKEN in frame posts). Stored encrypted and bound to its portal like the OAuth tokens (so
 * `npm run tokens:rotate` covers it too); only ever compared, in constant time.
 */
const binding = (memberId: string) => `${memberId}|app|application_token`;

export function sealAppToken(memberId: string, token: string, ring: KeyRing): string {
  return encryptToken(token, binding(memberId), ring);
}

/** The stored token in clear, for re-encryption under a new key only. */
export function openAppToken(memberId: string, stored: string, ring: KeyRing): string {
  return decryptToken(stored, binding(memberId), ring);
}

/** True only when `given` equals the stored token. Unknown portal, missing or undecryptable value → false. */
export function appTokenMatches(memberId: string, stored: string | null | undefined, given: unknown, ring: KeyRing): boolean {
  if (!stored || typeof given !== "string" || given.length === 0 || given.length > 256) return false;
  let expected: string;
  try {
    expected = decryptToken(stored, binding(memberId), ring);
  } catch (err) {
    if (err instanceof TokenDecryptError) return false;
    throw err;
  }
  return safeEqual(expected, given);
}
