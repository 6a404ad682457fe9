// Prints a fresh TOKEN_ENCRYPTION_KEYS entry (a key id and 32 random bytes, base64).
//   npm run keys:new                 -> k<date>:<base64>
//   npm run keys:new -- "$TOKEN_ENCRYPTION_KEYS"   -> new key first, the existing ones kept for reading
import { randomBytes } from "node:crypto";

const kid = `k${new Date().toISOString().slice(0, 10).replace(/-/g, "")}${randomBytes(2).toString("hex")}`;
const entry = `${kid}:${randomBytes(32).toString("base64")}`;
const existing = (process.argv[2] ?? "").trim();
console.log(existing ? `${entry},${existing}` : entry);
