import { describe, expect, it } from "vitest";
import { effective, JITTER_MS, take, type BucketParams, type BucketState } from "./bucket";

describe("leaky bucket", () => {
  const p = { burst: 50, perSec: 2 };

  it("lets a burst through, then paces at the drain rate", () => {
    let s: BucketState = { level: 0, at: 0 };
    for (let i = 0; i < 50; i++) {
      const r = take(s, p, 0);
      expect(r.ok).toBe(true);
      if (r.ok) s = r.next;
    }
    const refused = take(s, p, 0);
    expect(refused).toEqual({ ok: false, waitMs: 500 });
    const later = take(s, p, 500);
    expect(later.ok).toBe(true);
  });

  it("drains while idle and never below zero", () => {
    const r = take({ level: 10, at: 0 }, p, 60_000);
    expect(r).toEqual({ ok: true, next: { level: 1, at: 60_000 } });
  });

  it("never lets a simulated Bitrix24 bucket overflow, whatever the arrival pattern", () => {
    const mine = effective(p);
    let ours: BucketState = { level: 0, at: 0 };
    let theirs = 0;
    let theirsAt = 0;
    let now = 0;
    for (let i = 0; i < 2_000; i++) {
      const r = take(ours, mine, now);
      if (!r.ok) {
        now += r.waitMs;
        i--;
        continue;
      }
      ours = r.next;
      // The request reaches Bitrix24 up to 40 ms after we granted it.
      const arrival = now + (i * 7919) % 40;
      theirs = Math.max(0, theirs - ((Math.max(arrival, theirsAt) - theirsAt) / 1000) * p.perSec) + 1;
      theirsAt = Math.max(arrival, theirsAt);
      expect(theirs).toBeLessThanOrEqual(p.burst);
      now += (i * 104729) % 3 === 0 ? 0 : 1;
    }
  });

  it("keeps a safety margin below the portal's own limits", () => {
    expect(effective({ burst: 50, perSec: 2 })).toEqual({ burst: 47, perSec: 1.9 });
    expect(effective({ burst: 250, perSec: 5 })).toEqual({ burst: 247, perSec: 4.75 });
    expect(effective({ burst: 20, perSec: 10 })).toEqual({ burst: 15, perSec: 9.5 });
  });

  /** Grants for a queue that always wants more, each reaching Bitrix24 after its own delay in [0, JITTER_MS). */
  function replayArrivals(portal: BucketParams, seed: number): number {
    const mine = effective(portal);
    let ours: BucketState = { level: 0, at: 0 };
    let rnd = seed;
    const random = () => ((rnd = (rnd * 48271) % 2147483647) / 2147483647);
    const arrivals: number[] = [];
    for (let now = 0; arrivals.length < 1_000; ) {
      const r = take(ours, mine, now);
      if (!r.ok) {
        now += r.waitMs;
        continue;
      }
      ours = r.next;
      // Worst case: the first half second's grants are held back, later ones are not.
      arrivals.push(now + (now < JITTER_MS ? JITTER_MS - 1 - now : random() * (JITTER_MS - 1)));
    }
    let level = 0;
    let at = 0;
    let peak = 0;
    for (const t of arrivals.sort((a, b) => a - b)) {
      level = Math.max(0, level - ((t - at) / 1000) * portal.perSec) + 1;
      at = t;
      peak = Math.max(peak, level);
    }
    return peak;
  }

  it.each([
    ["a standard", { burst: 50, perSec: 2 }],
    ["an enterprise", { burst: 250, perSec: 5 }],
    ["the e2e emulator", { burst: 20, perSec: 10 }],
  ])("absorbs half a second of arrival jitter on %s portal [#40]", (_name, portal) => {
    for (const seed of [1, 7, 4242]) expect(replayArrivals(portal, seed)).toBeLessThanOrEqual(portal.burst);
  });
});
