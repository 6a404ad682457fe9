import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptToken, encryptToken, envelopeKid, TokenDecryptError, type KeyRing } from "./crypto";

const k1 = { kid: "k1", key: randomBytes(32) };
const k2 = { kid: "k2", key: randomBytes(32) };
const ring: KeyRing = { keys: [k1] };
const binding = "member-a|user:1|refresh";

describe("token encryption", () => {
  it("round-trips and never stores the plaintext", () => {
    const env = encryptToken("canary-token-123", binding, ring);
    expect(env).not.toContain("canary");
    expect(env.startsWith("v1.k1.")).toBe(true);
    expect(decryptToken(env, binding, ring)).toBe("canary-token-123");
  });

  it("uses a fresh IV every time: 10,000 encryptions give 10,000 distinct IVs [#31]", () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 10_000; i++) ivs.add(encryptToken("same-plaintext", binding, ring).split(".")[2]!);
    expect(ivs.size).toBe(10_000);
  });

  it("every envelope carries its key id, a 12-byte IV and a 16-byte tag; any other IV length is refused [#31]", () => {
    const lengths = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const [version, kid, iv, , tag] = encryptToken(`value-${i}`, binding, ring).split(".");
      lengths.add(`${version}|${kid}|${Buffer.from(iv!, "base64url").length}|${Buffer.from(tag!, "base64url").length}`);
    }
    expect([...lengths]).toEqual(["v1|k1|12|16"]);
    // The reader insists on it too: any other IV length (16 bytes would also be valid for GCM) is refused as such.
    const parts = encryptToken("secret-value", binding, ring).split(".");
    for (const bytes of [11, 13, 16]) {
      const copy = [...parts];
      copy[2] = randomBytes(bytes).toString("base64url");
      expect(() => decryptToken(copy.join("."), binding, ring), `${bytes}-byte IV`).toThrow(/bad iv or tag length/);
    }
  });

  it("rejects a tampered ciphertext, tag or iv [#31]", () => {
    const parts = encryptToken("secret-value", binding, ring).split(".");
    for (const i of [2, 3, 4]) {
      const copy = [...parts];
      const buf = Buffer.from(copy[i]!, "base64url");
      buf[0] = buf[0]! ^ 1;
      copy[i] = buf.toString("base64url");
      expect(() => decryptToken(copy.join("."), binding, ring)).toThrow(TokenDecryptError);
    }
  });

  it("binds a value to its row: swapped between tenants or columns it fails [#32]", () => {
    const a = encryptToken("token-of-a", "member-a|user:1|refresh", ring);
    expect(() => decryptToken(a, "member-b|user:1|refresh", ring)).toThrow(TokenDecryptError);
    expect(() => decryptToken(a, "member-a|user:1|access", ring)).toThrow(TokenDecryptError);
    expect(() => decryptToken(a, "member-a|portal:1|refresh", ring)).toThrow(TokenDecryptError);
  });

  it("reads old keys after rotation and writes with the current one [#33]", () => {
    const old = encryptToken("old", binding, { keys: [k1] });
    const rotated: KeyRing = { keys: [k2, k1] };
    expect(decryptToken(old, binding, rotated)).toBe("old");
    const fresh = encryptToken("new", binding, rotated);
    expect(envelopeKid(fresh)).toBe("k2");
    expect(() => decryptToken(old, binding, { keys: [k2] })).toThrow(/k1 is not in TOKEN_ENCRYPTION_KEYS/);
  });

  it("never accepts plaintext or a foreign format", () => {
    expect(() => decryptToken("plain-token", binding, ring)).toThrow(TokenDecryptError);
    expect(envelopeKid("plain-token")).toBeNull();
  });
});
