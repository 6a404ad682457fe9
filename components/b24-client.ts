"use client";
import useSWR, { useSWRConfig } from "swr";
import type { AppMethods } from "@/bitrix24.app";
import type { ParamsOf, ResultOf } from "@/lib/bitrix24/manifest";

/**
 * The pages' typed way to Bitrix24: every call goes through the server-side proxy (/api/b24/{method}), which adds
 * the signed-in user's token. No token ever exists in the browser. Method names, params and results are typed by
 * the app manifest (bitrix24.app.ts): a method that is not declared there does not compile, and the proxy refuses it.
 */
export type B24Method = keyof AppMethods & string;
export type B24Params<M extends B24Method> = ParamsOf<AppMethods[M]>;
export type B24Result<M extends B24Method> = ResultOf<AppMethods[M]>;

export interface B24Page<T> {
  result: T;
  total?: number;
  next?: number;
}

export class B24CallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly upstream?: string,
    /** From the proxy's Retry-After (rate limits, operating-time blocks): when trying again can succeed. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "B24CallError";
  }
}

/** The one transport: POST /api/b24/{method} with JSON, answered `{result,total,next}` or `{error,message,upstream}`. */
export async function b24Call<M extends B24Method>(method: M, params: B24Params<M>, signal?: AbortSignal): Promise<B24Page<B24Result<M>>> {
  let res: Response;
  try {
    res = await fetch(`/api/b24/${encodeURIComponent(method)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-b24-proxy": "1" },
      body: JSON.stringify(params),
      credentials: "same-origin",
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new B24CallError("network", "The app could not be reached. Check your connection and try again.", 0);
  }
  const body = (await res.json().catch(() => null)) as (B24Page<B24Result<M>> & { error?: string; message?: string; upstream?: string }) | null;
  if (!res.ok || !body) {
    const retryAfter = Number(res.headers.get("retry-after"));
    throw new B24CallError(body?.error ?? "internal", body?.message ?? "Something went wrong. Try again later.", res.status, body?.upstream, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  return { result: body.result, total: body.total, next: body.next };
}

export interface QueryState<T> {
  data: B24Page<T> | null;
  error: B24CallError | null;
  loading: boolean;
  reload: () => void;
}

type Key = readonly [method: string, params: string];

/** Retries wait for what the proxy said (Retry-After), a few times; errors a retry cannot fix are not retried. */
const RETRYABLE = new Set(["rate_limited", "upstream_unavailable", "network"]);
const MAX_RETRIES = 3;

/**
 * Reads `method` through SWR: identical calls on a page are sent once, an older answer never overwrites a newer one,
 * the previous page stays on screen while the next loads, and `invalidate(method)` refetches after a write.
 */
export function useB24Query<M extends B24Method>(method: M, params: B24Params<M>): QueryState<B24Result<M>> {
  const key: Key = [method, JSON.stringify(params)];
  const swr = useSWR(key, ([m, p]: Key) => b24Call(m as M, JSON.parse(p) as B24Params<M>), {
    keepPreviousData: true,
    revalidateOnFocus: false,
    onErrorRetry: (err: unknown, _key, _config, revalidate, { retryCount }) => {
      if (!(err instanceof B24CallError) || !RETRYABLE.has(err.code) || retryCount > MAX_RETRIES) return;
      setTimeout(() => void revalidate({ retryCount }), (err.retryAfterSec ?? 2 ** retryCount) * 1000);
    },
  });
  const error = swr.error ? (swr.error instanceof B24CallError ? swr.error : new B24CallError("internal", String(swr.error), 0)) : null;
  return { data: swr.data ?? null, error, loading: swr.isValidating || swr.isLoading, reload: () => void swr.mutate() };
}

/** After a write: every cached read of these methods (any params) is fetched again. */
export function useInvalidate(): (...methods: B24Method[]) => Promise<void> {
  const { mutate } = useSWRConfig();
  return async (...methods) => {
    await mutate((key) => Array.isArray(key) && methods.includes(key[0] as B24Method));
  };
}
