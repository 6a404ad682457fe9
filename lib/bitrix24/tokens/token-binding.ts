/** Who owns a token pair. `kind = "portal"` is the installing admin's pair used for server-side work. */
export type TokenKind = "user" | "portal";

export interface TokenOwner {
  memberId: string;
  kind: TokenKind;
  bitrixUserId: number;
}

/** AAD binding: a ciphertext only decrypts in the row and column it was written for. Unsafe to change (rows die). */
export function tokenBinding(owner: TokenOwner, column: "access" | "refresh"): string {
  return `${owner.memberId}|${owner.kind}:${owner.bitrixUserId}|${column}`;
}
