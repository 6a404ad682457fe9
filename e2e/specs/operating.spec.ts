import { expect, test } from "../fixtures";
import { callProxy } from "../proxy-caller";

/**
 * Bitrix24's operating-time limit (https://apidocs.bitrix24.com/limits.html): once a method has used its budget
 * (480 s in ten one-minute buckets), Bitrix24 answers 429 OPERATION_TIME_LIMIT until `operating_reset_at`, which
 * every earlier answer reported. The app remembers that for every client in the process, so later page calls for the
 * method send nothing and answer 503 with Retry-After = the seconds to the reset, while other methods keep working.
 */
test("after OPERATION_TIME_LIMIT a proxied call for that method sends nothing and answers 503 with Retry-After until the reset [#39]", async ({ emulator, signInTo }) => {
  const portal = await emulator.addPortal({ installed: true });
  const cookie = await signInTo(portal.host);
  try {
    await emulator.setMethodCost("crm.deal.list", 300_000);
    const before = await emulator.clockSec();
    expect((await callProxy(cookie, "crm.deal.list")).status).toBe(200);
    const after = await emulator.clockSec();
    // The oldest one-minute bucket holds the first call; the block lifts when it leaves the ten-minute window.
    const resets = [before, after].map((t) => (Math.floor(t / 60) + 10) * 60);
    expect((await callProxy(cookie, "crm.deal.list")).status).toBe(200);

    const limited = await callProxy(cookie, "crm.deal.list");
    expect(limited.status).toBe(503);
    expect(limited.body).toMatchObject({ error: "rate_limited", upstream: "OPERATION_TIME_LIMIT" });

    const since = await emulator.lastSeq();
    for (let start = 0; start < 150; start += 50) {
      const blocked = await callProxy(cookie, "crm.deal.list", { start });
      expect(blocked.status).toBe(503);
      expect(blocked.body.error).toBe("rate_limited");
      const retryAfter = Number(blocked.headers.get("retry-after"));
      const now = await emulator.clockSec();
      expect(retryAfter).toBeGreaterThanOrEqual(Math.min(...resets) - now - 2);
      expect(retryAfter).toBeLessThanOrEqual(Math.max(...resets) - now + 2);
    }
    expect((await emulator.log(since)).filter((r) => r.host === portal.host)).toHaveLength(0);
    expect((await callProxy(cookie, "user.current")).status).toBe(200);
  } finally {
    await emulator.setMethodCost("crm.deal.list", null);
    await emulator.resetLimits();
  }
});
