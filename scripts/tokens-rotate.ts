// `npm run tokens:rotate`: re-encrypt every stored token with the current key (the first in TOKEN_ENCRYPTION_KEYS).
// Rotation: put a new key first (`npm run keys:new -- "$TOKEN_ENCRYPTION_KEYS"`), deploy, run this, then drop the
// old key once it reports 0 rows left on old keys. Safe to run while the app serves traffic.
import { existsSync } from "node:fs";

// Like Next.js, read .env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");
const { reencryptAll } = await import("@/lib/bitrix24/store/token-store");

let report: Awaited<ReturnType<typeof reencryptAll>>;
try {
  report = await reencryptAll();
} catch (err) {
  console.error(`tokens:rotate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
console.log(
  `tokens:rotate: scanned ${report.scanned}, re-encrypted ${report.rewritten}, changed concurrently ${report.skipped}, unreadable ${report.unreadable}`,
);
if (report.skipped > 0) console.log("tokens:rotate: run it again to finish the rows that changed concurrently.");
if (report.unreadable > 0) console.log("tokens:rotate: unreadable rows need a key that is no longer in TOKEN_ENCRYPTION_KEYS; their users must sign in again.");
process.exit(report.unreadable > 0 ? 1 : 0);
