"use client";
import { useCallback, useEffect, useState } from "react";

/**
 * The pages' typed way to Bitrix24: every call goes through the server-side proxy (/api/b24/{method}), which adds
 * the signed-in user's token. No token ever exists in the browser.
 */
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
  ) {
    super(message);
    this.name = "B24CallError";
  }
}

export async function b24Call<T>(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<B24Page<T>> {
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
  const body = (await res.json().catch(() => null)) as (B24Page<T> & { error?: string; message?: string; upstream?: string }) | null;
  if (!res.ok || !body) {
    throw new B24CallError(body?.error ?? "internal", body?.message ?? "Something went wrong. Try again later.", res.status, body?.upstream);
  }
  return { result: body.result, total: body.total, next: body.next };
}

export interface QueryState<T> {
  data: B24Page<T> | null;
  error: B24CallError | null;
  loading: boolean;
  reload: () => void;
}

/** Calls `method` whenever its params change (compared as JSON); an older answer never overwrites a newer one. */
export function useB24Query<T>(method: string, params: Record<string, unknown>): QueryState<T> {
  const [state, setState] = useState<Omit<QueryState<T>, "reload">>({ data: null, error: null, loading: true });
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify(params);

  useEffect(() => {
    const ctrl = new AbortController();
    b24Call<T>(method, JSON.parse(key) as Record<string, unknown>, ctrl.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ ...s, error: error instanceof B24CallError ? error : new B24CallError("internal", String(error), 0), loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [method, key, nonce]);

  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true, error: null }));
    setNonce((n) => n + 1);
  }, []);
  return { ...state, reload };
}
