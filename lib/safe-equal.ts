import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The one constant-time string comparison (state, member_id, application_token, client_id). Both sides are hashed
 * first, so the comparison always runs over 32 bytes: its time reveals neither where the strings differ nor how long
 * the secret is. Unsafe to replace with `===`; `safe-equal.test.ts` fails if timingSafeEqual is not what decides.
 */
export function safeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a, "utf8").digest();
  const y = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(x, y);
}
