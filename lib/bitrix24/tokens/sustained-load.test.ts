import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SUSTAINED_QUICK, sustainedBench, sustainedTargets } from "@/bench/sustained";

/**
 * Checklist item 44, the quick variant of `npm run bench`'s sustained section (bench/sustained.ts) against the app's
 * production build: real `next start` instances sharing one database, many portals each with a signed-in user, a
 * steady arrival rate through the REST proxy, and every access token expired at the emulator at fixed points in the
 * middle. Asserted: no call fails for its token, no 5xx, and each expiry costs exactly one refresh grant per pair.
 * The latency (p50/p99) is printed, not asserted here: the unit suite runs files side by side on the same cores; the
 * bench judges it against its budget. Skipped when there is no production build (`npm run build`; npm test's
 * bench-quick runs the same section after the e2e builds and fails on a token race).
 */
const built = existsSync(".next/BUILD_ID");
const flavour = built && existsSync(".next/b24-db-flavour") && readFileSync(".next/b24-db-flavour", "utf8").trim() === "postgres" ? "postgres" : "sqlite";

describe("sustained multi-portal load", () => {
  it.skipIf(!built)(
    "many portals at a steady rate with every access token expired twice mid-run: no call fails for its token, one refresh grant per pair per expiry [#44]",
    async () => {
      const { figures: f } = await sustainedBench({ ...SUSTAINED_QUICK, flavour });
      console.log(sustainedTargets(f).map((t) => `${t.met ? "met" : "NOT met"}: ${t.target}: ${t.figure}`).join("\n"));
      expect(f.calls).toBe(SUSTAINED_QUICK.seconds * SUSTAINED_QUICK.ratePerSec);
      expect({ tokenErrors: f.tokenErrors, fiveXx: f.fiveXx, failed: f.calls - f.ok, failures: f.failures }).toEqual({ tokenErrors: 0, fiveXx: 0, failed: 0, failures: [] });
      expect(f.expiredPairs).toBe(SUSTAINED_QUICK.portals * SUSTAINED_QUICK.expiries);
      expect({ grants: f.grants, refused: f.refusedGrants }).toEqual({ grants: f.expectedGrants, refused: 0 });
      expect(f.p99Ms).toBeGreaterThan(0);
    },
    240_000,
  );
});
