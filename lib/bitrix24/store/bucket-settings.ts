import "server-only";
import { db } from "@/lib/db";

/**
 * The portal's own request bucket (Portal.bucketBurst / bucketRate), by the portal's member_id only. Both columns or
 * neither: a half-set pair means the deployment default.
 */
export interface StoredBucket {
  burst: number;
  perSec: number;
}

export async function readBucketSetting(memberId: string): Promise<StoredBucket | null> {
  const row = await db().portal.findUnique({ where: { memberId }, select: { bucketBurst: true, bucketRate: true } });
  return row?.bucketBurst != null && row.bucketRate != null ? { burst: row.bucketBurst, perSec: row.bucketRate } : null;
}

/** `null` returns the portal to the deployment default. False when the portal has no row. */
export async function writeBucketSetting(memberId: string, bucket: StoredBucket | null): Promise<boolean> {
  const r = await db().portal.updateMany({ where: { memberId }, data: { bucketBurst: bucket?.burst ?? null, bucketRate: bucket?.perSec ?? null } });
  return r.count === 1;
}
