/**
 * One refresh of one stored pair in a process of its own, so lib/bitrix24/tokens/refresh-kill.test.ts can kill it
 * (SIGKILL) between the OAuth server's grant and the commit. The environment (database, OAuth server, keys) is the
 * test's; REFRESH_CHILD_OWNER names the pair. Prints one JSON line if it ever gets to the end.
 */
import { DbTokenSource } from "@/lib/bitrix24/tokens/refresh";

const owner = JSON.parse(process.env.REFRESH_CHILD_OWNER ?? "null") as ConstructorParameters<typeof DbTokenSource>[0];
try {
  const creds = await new DbTokenSource(owner).current();
  process.stdout.write(`${JSON.stringify({ ok: true, accessToken: creds.accessToken })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`);
}
process.exit(0);
