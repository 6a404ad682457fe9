import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Tokens at rest: AES-256-GCM, a fresh 12-byte IV per encryption, the key id in every envelope, and additional
 * authenticated data that binds a ciphertext to its row (portal, owner, column), so a value copied into another
 * tenant's row fails to decrypt instead of handing over that tenant's token.
 * Envelope: v1.<kid>.<iv>.<ciphertext>.<tag>, base64url parts. Never fall back to plaintext on failure.
 */
export interface KeyRing {
  /** First key = current (used for new writes); the others are only read. */
  keys: ReadonlyArray<{ kid: string; key: Buffer }>;
}

export class TokenDecryptError extends Error {
  constructor(reason: string) {
    super(`token envelope rejected: ${reason}`);
    this.name = "TokenDecryptError";
  }
}

const VERSION = "v1";

export function envelopeAad(binding: string, kid: string): Buffer {
  return Buffer.from(`${VERSION}|${binding}|${kid}`, "utf8");
}

export function encryptToken(plaintext: string, binding: string, ring: KeyRing): string {
  const current = ring.keys[0];
  if (!current) throw new Error("key ring is empty");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(envelopeAad(binding, current.kid));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, current.kid, iv.toString("base64url"), ct.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

export function decryptToken(envelope: string, binding: string, ring: KeyRing): string {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenDecryptError("unknown format");
  const [, kid, ivB64, ctB64, tagB64] = parts as [string, string, string, string, string];
  const entry = ring.keys.find((k) => k.kid === kid);
  if (!entry) throw new TokenDecryptError(`key id ${kid} is not in TOKEN_ENCRYPTION_KEYS`);
  const iv = Buffer.from(ivB64, "base64url");
  const tag = Buffer.from(tagB64, "base64url");
  if (iv.length !== 12 || tag.length !== 16) throw new TokenDecryptError("bad iv or tag length");
  try {
    const decipher = createDecipheriv("aes-256-gcm", entry.key, iv);
    decipher.setAAD(envelopeAad(binding, kid));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ctB64, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new TokenDecryptError("authentication failed (tampered, swapped between rows, or wrong key)");
  }
}

/** The key id an envelope was written with, or null when it is not an envelope. */
export function envelopeKid(envelope: string): string | null {
  const parts = envelope.split(".");
  return parts.length === 5 && parts[0] === VERSION ? parts[1]! : null;
}
