import "server-only";
import { b24Config } from "./config";
import { readBucketSetting, writeBucketSetting } from "./store/bucket-settings";
import { BUCKET_PLANS, type BucketParams } from "./transport/bucket";
import { BUCKET_SETTING_TTL_MS, portalBucketParams, sharedLimiter } from "./transport/limiter";

/**
 * The settings page's "request bucket": which of Bitrix24's plans the portal's bucket follows (protocol §9.3), or the
 * deployment default (B24_RATE_LIMIT_BURST / B24_RATE_LIMIT_PER_SEC). Callers check that the person is an
 * administrator of `memberId`; the portal is always the session's own.
 */
export const BUCKET_CHOICES = ["default", "standard", "enterprise"] as const;
export type BucketChoice = (typeof BUCKET_CHOICES)[number];

export interface PortalBucket {
  /** "custom" when the columns hold numbers that are not one of the plans (set outside the app). */
  choice: BucketChoice | "custom";
  current: BucketParams;
  /** What each choice means, in BUCKET_CHOICES order. */
  options: Array<{ choice: BucketChoice } & BucketParams>;
  /** Other instances pick a change up within this many seconds. */
  takesEffectSec: number;
  /** The share of the bucket the app uses now: below 1 after the portal answered QUERY_LIMIT_EXCEEDED, recovering. */
  share: number;
}

function choiceOf(stored: BucketParams | null): PortalBucket["choice"] {
  if (!stored) return "default";
  const plan = (Object.keys(BUCKET_PLANS) as Array<keyof typeof BUCKET_PLANS>).find(
    (k) => BUCKET_PLANS[k].burst === stored.burst && BUCKET_PLANS[k].perSec === stored.perSec,
  );
  return plan ?? "custom";
}

export async function portalBucket(memberId: string): Promise<PortalBucket> {
  const stored = await readBucketSetting(memberId);
  const deploymentDefault = b24Config().rateLimit;
  const options = BUCKET_CHOICES.map((choice) => ({ choice, ...(choice === "default" ? deploymentDefault : BUCKET_PLANS[choice]) }));
  const share = await sharedLimiter().factorOf(memberId);
  return { choice: choiceOf(stored), current: stored ?? deploymentDefault, options, takesEffectSec: BUCKET_SETTING_TTL_MS / 1000, share };
}

/** Stores the choice; this instance uses it from the next request, the others within `takesEffectSec`. */
export async function setPortalBucket(memberId: string, choice: BucketChoice): Promise<boolean> {
  const saved = await writeBucketSetting(memberId, choice === "default" ? null : BUCKET_PLANS[choice]);
  portalBucketParams().forget(memberId);
  return saved;
}
