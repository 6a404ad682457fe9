import { B24Error } from "@/lib/errors";
import { b24Fetch, errorOf, type B24Response } from "./http";

/**
 * One REST call with a known token. The URL is built only from a `clientEndpoint` that came from the OAuth
 * server (stored on the portal row), never from request data; the token goes in the JSON body.
 */
export interface RestTarget {
  clientEndpoint: string;
  accessToken: string;
}

export interface RestResult<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time?: Record<string, unknown>;
}

const METHOD = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,6}$/i;

export function restUrl(clientEndpoint: string, method: string): string {
  if (!METHOD.test(method)) throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
  const url = new URL(`${clientEndpoint}${method}`);
  const base = new URL(clientEndpoint);
  if (url.origin !== base.origin || !url.pathname.startsWith("/rest/")) throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
  return url.toString();
}

export function processRestResponse<T>(res: B24Response): RestResult<T> {
  if (res.status >= 300 && res.status < 400) {
    throw new B24Error("upstream_unavailable", "The portal moved to another address.", { upstreamStatus: res.status, upstream: "PORTAL_MOVED" });
  }
  const err = errorOf(res.body);
  if (err || res.status !== 200) {
    const upstream = err?.error || `HTTP_${res.status}`;
    const code =
      res.status === 503 && upstream === "QUERY_LIMIT_EXCEEDED"
        ? "rate_limited"
        : res.status >= 500
          ? "upstream_unavailable"
          : "rest_error";
    throw new B24Error(code, err?.description || "Bitrix24 returned an error.", { upstream, upstreamStatus: res.status });
  }
  const body = res.body as RestResult<T> | undefined;
  if (!body || typeof body !== "object" || !("result" in body)) {
    throw new B24Error("upstream_unavailable", "Bitrix24 sent an unexpected answer.", { upstreamStatus: res.status });
  }
  return body;
}

export async function restCall<T = unknown>(target: RestTarget, method: string, params: Record<string, unknown> = {}): Promise<RestResult<T>> {
  const res = await b24Fetch(restUrl(target.clientEndpoint, method), { method: "POST", json: { ...params, auth: target.accessToken } });
  return processRestResponse<T>(res);
}
