import { describe, expect, it } from "vitest";
import {
  BUCKET_PLANS,
  effective,
  enforced,
  EPISODE_MS,
  factorAt,
  JITTER_MS,
  penalized,
  QUIET_MS,
  RECOVERY_PER_SEC,
  SLOW_FLOOR,
  slowedDown,
  take,
  takeFrom,
  type BucketParams,
  type BucketState,
  type SlowBucket,
  type Slowdown,
} from "./bucket";

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

describe("slow-down after QUERY_LIMIT_EXCEEDED", () => {
  const fresh = { factor: 1, slowAt: 0 };

  it("halves the share per episode, down to the floor", () => {
    let s: Slowdown = fresh;
    const seen: number[] = [];
    for (let i = 1; i <= 6; i++) {
      s = slowedDown(s, i * EPISODE_MS)!;
      seen.push(s.factor);
    }
    expect(seen).toEqual([0.5, 0.25, 0.125, SLOW_FLOOR, SLOW_FLOOR, SLOW_FLOOR]);
  });

  it("counts refusals inside one episode once", () => {
    const s = slowedDown(fresh, 10_000)!;
    expect(slowedDown(s, 10_000)).toBeNull();
    expect(slowedDown(s, 10_000 + EPISODE_MS - 1)).toBeNull();
    expect(slowedDown(s, 10_000 + EPISODE_MS)?.factor).toBe(0.25);
  });

  it("holds the share through the quiet period, then recovers linearly to 1", () => {
    const s = { factor: 0.5, slowAt: 1_000 };
    expect(factorAt(s, 1_000)).toBe(0.5);
    expect(factorAt(s, 1_000 + QUIET_MS)).toBe(0.5);
    expect(factorAt(s, 1_000 + QUIET_MS + 10_000)).toBeCloseTo(0.5 + 10 * RECOVERY_PER_SEC);
    const full = 1_000 + QUIET_MS + (0.5 / RECOVERY_PER_SEC) * 1000;
    expect(factorAt(s, full)).toBe(1);
    expect(factorAt(s, full + 3_600_000)).toBe(1);
    // A refusal mid-recovery halves what was in force then, not the old low.
    expect(slowedDown(s, 1_000 + QUIET_MS + 10_000)?.factor).toBeCloseTo((0.5 + 10 * RECOVERY_PER_SEC) / 2);
  });

  it("scales burst and rate, then keeps the safety margin", () => {
    expect(enforced(BUCKET_PLANS.standard, 1)).toEqual({ burst: 47, perSec: 1.9 });
    expect(enforced(BUCKET_PLANS.enterprise, 1)).toEqual({ burst: 247, perSec: 4.75 });
    expect(enforced(BUCKET_PLANS.standard, 0.5)).toEqual({ burst: 22, perSec: 0.95 });
    expect(enforced(BUCKET_PLANS.standard, SLOW_FLOOR)).toEqual({ burst: 2, perSec: 0.19 });
  });

  it("a refusal counts our bucket full at the lowered share, so the next slot waits for the lowered rate", () => {
    const row: SlowBucket = { level: 5, at: 0, factor: 1, slowAt: 0 };
    const after = penalized(row, BUCKET_PLANS.standard, 1_000)!;
    expect(after).toEqual({ level: 22, at: 1_000, factor: 0.5, slowAt: 1_000 });
    expect(takeFrom(after, BUCKET_PLANS.standard, 1_000)).toEqual({ ok: false, waitMs: Math.ceil((1 / 0.95) * 1000) });
    expect(penalized(after, BUCKET_PLANS.standard, 1_500)).toBeNull();
    // A full bucket at the old share is not carried over: that would stall for the difference.
    expect(penalized({ level: 47, at: 0, factor: 1, slowAt: 0 }, BUCKET_PLANS.standard, 0)?.level).toBe(22);
  });

  /**
   * Bitrix24's standard bucket shared with another app that sends `otherPerSec` steadily after a burst of
   * `otherBurst`; ours always has work queued. Returns our refusals, when each happened, and how many we sent.
   */
  function shareWithAnotherApp(otherBurst: number, otherPerSec: number, seconds: number, adaptive = true) {
    const portal = BUCKET_PLANS.standard;
    let theirs = otherBurst;
    let theirsAt = 0;
    const arrive = (t: number): boolean => {
      theirs = Math.max(0, theirs - ((t - theirsAt) / 1000) * portal.perSec);
      theirsAt = t;
      if (theirs + 1 > portal.burst) return false;
      theirs += 1;
      return true;
    };
    let ours: SlowBucket = { level: 0, at: 0, factor: 1, slowAt: 0 };
    let nextOther = 0;
    const refusals: number[] = [];
    let sent = 0;
    for (let now = 0; now < seconds * 1000; ) {
      const r = takeFrom(ours, portal, now);
      if (!r.ok || nextOther <= now) {
        // Time moves to whichever comes first: the other app's next request or our next slot.
        const ourAt = r.ok ? now : now + r.waitMs;
        if (nextOther <= ourAt) {
          arrive(nextOther);
          now = Math.max(now, nextOther);
          nextOther += 1000 / otherPerSec;
        } else now = ourAt;
        continue;
      }
      ours = { ...ours, ...r.next };
      if (arrive(now)) sent++;
      else {
        refusals.push(now);
        if (adaptive) ours = penalized(ours, portal, now) ?? ours;
      }
    }
    return { refusals, sent };
  }

  it("converges when another app shares the bucket: refusals come in rare episodes, throughput stays near what is left", () => {
    const { refusals, sent } = shareWithAnotherApp(30, 1, 600);
    // Without the slow-down every request above the 1/s left over is refused: about 0.9 a second.
    expect(shareWithAnotherApp(30, 1, 600, false).refusals.length).toBeGreaterThan(500);
    // With it: one episode at the start (the other app's burst), then about one per quiet period and recovery, as
    // the share grows back past what is left; the client retries each of those.
    expect(refusals[0]).toBe(0);
    expect(refusals.length).toBeLessThanOrEqual(1 + 600_000 / QUIET_MS);
    expect(Math.min(...refusals.slice(1).map((t, i) => t - refusals[i]!))).toBeGreaterThan(QUIET_MS);
    // Of the 1 request/s the other app leaves, we use nearly all (plus the 20 slots free at the start).
    expect(sent / 600).toBeGreaterThan(0.95);
    expect(sent / 600).toBeLessThanOrEqual(1 + 50 / 600);
  });
});
