import type { BucketParams } from "./bucket";

/** Where a limiter learns a portal's bucket: fixed for every portal, or looked up per portal. */
export type BucketParamsSource = (memberId: string) => BucketParams | Promise<BucketParams>;

/**
 * A portal's bucket as stored (null = the deployment default), kept in process for `ttlMs` so the hot path costs no
 * query: a changed setting reaches every instance within `ttlMs`, and at once on the instance that saved it
 * (`forget`). A failed read uses the default for the calls waiting on it and is not cached.
 */
export interface CachedBucketParams {
  get: BucketParamsSource;
  forget(memberId: string): void;
}

const MAX_ENTRIES = 10_000;

export function cachedBucketParams(opts: {
  read: (memberId: string) => Promise<BucketParams | null>;
  fallback: BucketParams;
  ttlMs: number;
  now?: () => number;
  onError?: (memberId: string, err: unknown) => void;
}): CachedBucketParams {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { expiresAt: number; value: Promise<BucketParams> }>();

  return {
    get(memberId) {
      const hit = entries.get(memberId);
      if (hit && hit.expiresAt > now()) return hit.value;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      // The promise is cached, not the value, so concurrent first calls for a portal share one read.
      const entry = { expiresAt: now() + opts.ttlMs, value: Promise.resolve(opts.fallback) };
      entry.value = opts.read(memberId).then(
        (stored) => stored ?? opts.fallback,
        (err) => {
          if (entries.get(memberId) === entry) entries.delete(memberId);
          opts.onError?.(memberId, err);
          return opts.fallback;
        },
      );
      entries.set(memberId, entry);
      return entry.value;
    },
    forget(memberId) {
      entries.delete(memberId);
    },
  };
}
