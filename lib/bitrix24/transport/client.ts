import { log } from "@/lib/log";
import { countRetry, timedWait } from "@/lib/metrics";
import { B24Error, isB24Error } from "@/lib/errors";
import { errorOf, type B24Response } from "./http";
import { fetchRecorded, newCallId, type RestRecorder } from "./exchange";
import { listAll, type ListAllOptions } from "./list-all";
import {
  encodePhpQuery,
  hasAuthOverride,
  isBatchKey,
  isValidMethodName,
  MAX_BATCH_COMMANDS,
  parseBatchCommand,
  type Params,
} from "./methods";
import type { RateLimiter, RestCredentials, TokenSource } from "../ports";
import { blocksPortal, classifyRest } from "./classify";
import { processOperatingLimits, type OperatingLimits } from "./operating";
import { createRetryPolicy, DEFAULT_MAX_OPERATING_WAIT_MS } from "./retry";

/**
 * The Bitrix24 REST client: one portal, one token source, one shared rate limiter. Each request is built (URL from
 * the stored client_endpoint only, token in the body), checked (envelope → typed B24Error) and, where retry.ts
 * allows, repeated. A token Bitrix24 rejects is renewed once; nothing else loops.
 */
export interface B24ClientOptions {
  memberId: string;
  tokens: TokenSource;
  limiter: RateLimiter;
  sleep?: (ms: number) => Promise<void>;
  /** Unix ms; compared with Bitrix24's `operating_reset_at`. */
  now?: () => number;
  /** Longest wait for a blocked method (operating limit) or a Retry-After; 0 for a person waiting on a page. */
  maxOperatingWaitMs?: number;
  /** What Bitrix24 said about operating time; the process's shared instance by default. */
  operating?: OperatingLimits;
  random?: () => number;
  timeoutMs?: number;
  /** Receives every HTTP exchange with the portal (the REST log); nothing is recorded without one. */
  record?: RestRecorder;
}

export type BatchCommand = string | readonly [method: string, params?: Params];

export interface BatchError {
  error: string;
  error_description: string;
}

export interface BatchResult {
  result: Record<string, unknown>;
  result_error: Record<string, BatchError>;
  result_total: Record<string, number>;
  result_next: Record<string, number>;
}

export interface B24Client {
  call<T = unknown>(method: string, params?: Params): Promise<RestResult<T>>;
  /** Any number of commands, sent 50 per request; `$result[…]` references must point inside the same 50. */
  batch(commands: Record<string, BatchCommand>, opts?: { halt?: boolean }): Promise<BatchResult>;
  listAll<T = Record<string, unknown>>(method: string, params?: Params, opts?: ListAllOptions): AsyncGenerator<T>;
}

const TOKEN_REJECTED = new Set(["expired_token", "invalid_token"]);

/** A REST answer's envelope. */
export interface RestResult<T = unknown> {
  result: T;
  total?: number;
  next?: number;
  time?: Record<string, unknown>;
}

/**
 * A token source for a token that was just issued and is not stored yet (the sign-in's profile read): used as it
 * is; if Bitrix24 rejects it there is nothing to renew.
 */
export function fixedTokens(creds: RestCredentials): TokenSource {
  return {
    current: async () => creds,
    renew: async () => {
      throw new B24Error("needs_reauth", "Bitrix24 did not accept the token it just issued. Sign in again.");
    },
  };
}

/** `${clientEndpoint}${method}` by concatenation, then proven to stay on the endpoint's origin under `/rest/`. */
export function endpointUrl(clientEndpoint: string, method: string): string {
  if (!isValidMethodName(method)) throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
  const base = new URL(clientEndpoint);
  const url = new URL(`${clientEndpoint}${method}`);
  if (url.origin !== base.origin || !url.pathname.startsWith("/rest/") || url.search || url.hash) {
    throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
  }
  return url.toString();
}

function retryAfterHeader(res: B24Response): number | undefined {
  const raw = res.headers.get("retry-after");
  // Number(null) and Number("") are 0: an absent header must stay absent, or every error would say "retry now".
  if (raw === null || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

function asRecord<V>(part: unknown): Record<string, V> {
  // PHP sends an empty part as [] and 0..n-1 keyed parts as lists.
  if (Array.isArray(part)) return Object.fromEntries(part.map((v, i) => [String(i), v as V]));
  return part && typeof part === "object" ? { ...(part as Record<string, V>) } : {};
}

/** Object.assign would run the `__proto__` setter for a key parsed from JSON; commands never use such keys. */
function mergeInto<V>(target: Record<string, V>, part: Record<string, V>): void {
  for (const [k, v] of Object.entries(part)) if (k !== "__proto__") target[k] = v;
}

interface RawBatch {
  result?: unknown;
  result_error?: unknown;
  result_total?: unknown;
  result_next?: unknown;
  result_time?: unknown;
}

export function createB24Client(opts: B24ClientOptions): B24Client {
  const { memberId, tokens, limiter } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = opts.now ?? Date.now;
  const policy = createRetryPolicy({ maxOperatingWaitMs: opts.maxOperatingWaitMs, random: opts.random });
  const operating = opts.operating ?? processOperatingLimits();
  const maxWaitMs = opts.maxOperatingWaitMs ?? DEFAULT_MAX_OPERATING_WAIT_MS;

  const noteOperating = (method: string, time: unknown): void => {
    const reset = (time as { operating_reset_at?: unknown } | undefined)?.operating_reset_at;
    if (typeof reset === "number") operating.noteReset(memberId, method, reset);
  };

  /** A method Bitrix24 blocked is not sent again before the reset: wait when allowed, else fail with Retry-After. */
  async function awaitOperating(methods: readonly string[]): Promise<void> {
    const until = Math.max(0, ...methods.map((m) => operating.blockedUntil(memberId, m, now())));
    const waitMs = until - now();
    if (waitMs <= 0) return;
    if (waitMs > maxWaitMs) {
      throw new B24Error("rate_limited", "Bitrix24 blocked this method for its operating time; try again after the reset.", {
        upstream: "OPERATION_TIME_LIMIT",
        retryAfterSec: Math.ceil(waitMs / 1000),
      });
    }
    await sleep(waitMs);
  }

  const markPortal = async (upstream: string): Promise<void> => {
    try {
      await tokens.markPortal?.(upstream === "PAYMENT_REQUIRED" ? "payment_required" : "portal_refused", upstream);
    } catch (cause) {
      log.error("b24.rest.mark_portal_failed", { memberId, upstream, error: String(cause) });
    }
  };

  async function toError(res: B24Response, method: string): Promise<B24Error> {
    if (res.status >= 300 && res.status < 400) {
      // Following would hand the token to whatever Location names; the new endpoint must come from the OAuth server.
      return new B24Error("upstream_unavailable", "The portal moved to another address.", { upstreamStatus: res.status, upstream: "PORTAL_MOVED" });
    }
    const err = errorOf(res.body);
    const upstream = err?.error || `HTTP_${res.status}`;
    const code = classifyRest(upstream, res.status);
    let retryAfterSec = retryAfterHeader(res);
    if (upstream === "QUERY_LIMIT_EXCEEDED") await limiter.penalize?.(memberId);
    if (upstream === "OPERATION_TIME_LIMIT") {
      const until = await operating.block(memberId, method, now());
      retryAfterSec = Math.max(1, Math.ceil((until - now()) / 1000));
    }
    // ACCESS_DENIED from the auth layer (401: "REST is available only on commercial plans") blocks the whole portal;
    // the method-level one (403, e.g. a non-admin) does not.
    if (blocksPortal(upstream, res.status)) await markPortal(upstream);
    const message = err?.description || (res.status === 200 ? "Bitrix24 sent an unexpected answer." : "Bitrix24 returned an error.");
    return new B24Error(code, message, { upstream, upstreamStatus: res.status, retryAfterSec });
  }

  /** One HTTP request. The slot is taken before the credentials are read, so a call that waited in the limiter
   * uses the pair another call may have refreshed meanwhile instead of a stale token. */
  async function once<T>(method: string, params: Params, renewed: RestCredentials | null, requestId: string): Promise<{ creds: RestCredentials; out: RestResult<T> }> {
    await timedWait(limiter.acquire(memberId));
    const creds = renewed ?? (await tokens.current());
    try {
      return { creds, out: await sendWith<T>(creds, method, params, requestId) };
    } catch (err) {
      if (err instanceof B24Error) Object.defineProperty(err, "creds", { value: creds, enumerable: false });
      throw err;
    }
  }

  async function sendWith<T>(creds: RestCredentials, method: string, params: Params, requestId: string): Promise<RestResult<T>> {
    const url = endpointUrl(creds.clientEndpoint, method);
    const req = { method: "POST" as const, json: { ...params, auth: creds.accessToken }, timeoutMs: opts.timeoutMs, requestId };
    const res = await fetchRecorded(url, req, { memberId, method, params }, opts.record);
    const body = res.body as RestResult<T> | undefined;
    if (res.status !== 200 || errorOf(res.body) || !body || typeof body !== "object" || !("result" in body)) {
      throw await toError(res, method);
    }
    noteOperating(method, body.time);
    return { result: body.result, total: body.total, next: body.next, time: body.time };
  }

  async function send<T>(method: string, params: Params, batchMethods?: readonly string[]): Promise<RestResult<T>> {
    if (hasAuthOverride(params)) throw new B24Error("bad_request", "Credentials may not be passed as parameters.");
    let next: RestCredentials | null = null;
    let renewed = false;
    let attempt = 1;
    const callId = newCallId();
    let sent = 0;
    for (;;) {
      await awaitOperating(batchMethods ?? [method]);
      const requestId = `${callId}-${++sent}`;
      try {
        return (await once<T>(method, params, next, requestId)).out;
      } catch (err) {
        if (!isB24Error(err)) throw err;
        const used = (err as B24Error & { creds?: RestCredentials }).creds;
        next = null;
        if (!renewed && used && (TOKEN_REJECTED.has(err.upstream ?? "") || err.upstream === "PORTAL_MOVED")) {
          // Once only. A renamed portal answers 302: a refresh makes the OAuth server report the new client_endpoint,
          // and only that address is retried (never the redirect's Location). A second token rejection is not marked
          // on the portal: another instance's refresh may have just revoked this token.
          renewed = true;
          countRetry(err.upstream === "PORTAL_MOVED" ? "portal_moved" : "token_rejected");
          next = await tokens.renew(used);
          if (err.upstream === "PORTAL_MOVED" && next.clientEndpoint === used.clientEndpoint) throw err;
          continue;
        }
        const decision = policy.decide(err, attempt, method, batchMethods);
        if (!decision.retry) throw err;
        countRetry(err.code);
        log.info("b24.rest.retry", { memberId, method, b24RequestId: requestId, upstream: err.upstream, attempt, delayMs: decision.delayMs });
        await sleep(decision.delayMs);
        attempt++;
      }
    }
  }

  function commandString(key: string, command: BatchCommand): { text: string; method: string } {
    if (!isBatchKey(key)) throw new B24Error("bad_request", "A batch command has an invalid key.");
    if (typeof command === "string") return { text: command, method: parseBatchCommand(command).method };
    const [method, params = {}] = command;
    if (!isValidMethodName(method)) throw new B24Error("bad_request", "A batch command has an invalid method name.");
    if (hasAuthOverride(params)) throw new B24Error("bad_request", "A batch command may not carry credentials.");
    const query = encodePhpQuery(params);
    return { text: query ? `${method}?${query}` : method, method };
  }

  async function batch(commands: Record<string, BatchCommand>, batchOpts: { halt?: boolean } = {}): Promise<BatchResult> {
    const built = Object.entries(commands).map(([key, c]) => ({ key, ...commandString(key, c) }));
    if (built.some((c) => c.method.toLowerCase() === "batch")) throw new B24Error("method_not_allowed", "batch cannot be nested.");
    const chunks: Array<typeof built> = [];
    for (let i = 0; i < built.length; i += MAX_BATCH_COMMANDS) chunks.push(built.slice(i, i + MAX_BATCH_COMMANDS));
    const allKeys = new Set(built.map((c) => c.key));
    for (const chunk of chunks) {
      const inChunk = new Set(chunk.map((c) => c.key));
      for (const c of chunk) {
        for (const m of c.text.matchAll(/\$result\[([^\]]+)\]/g)) {
          if (allKeys.has(m[1] ?? "") && !inChunk.has(m[1] ?? "")) {
            throw new B24Error("bad_request", "A batch reference points into another group of 50 commands.");
          }
        }
      }
    }
    const merged: BatchResult = { result: {}, result_error: {}, result_total: {}, result_next: {} };
    for (const chunk of chunks) {
      const cmd = Object.fromEntries(chunk.map((c) => [c.key, c.text]));
      const res = await send<RawBatch>("batch", { halt: batchOpts.halt ? 1 : 0, cmd }, chunk.map((c) => c.method));
      const raw = res.result && typeof res.result === "object" ? res.result : {};
      mergeInto(merged.result, asRecord(raw.result));
      const errors = asRecord<BatchError>(raw.result_error);
      mergeInto(merged.result_error, errors);
      mergeInto(merged.result_total, asRecord<number>(raw.result_total));
      mergeInto(merged.result_next, asRecord<number>(raw.result_next));
      const times = asRecord(raw.result_time);
      for (const c of chunk) noteOperating(c.method, times[c.key]);
      if (batchOpts.halt && Object.keys(errors).length > 0) break;
    }
    return merged;
  }

  const client: B24Client = {
    call: (method, params = {}) => send(method, params, method.toLowerCase() === "batch" ? safeBatchMethods(params.cmd) : undefined),
    batch,
    listAll: (method, params, listOpts) => listAll(batch, method, params, listOpts),
  };
  return client;
}

/** Methods of a raw `cmd` for the retry decision; unparsable → undefined, which retry.ts treats as writes. */
function safeBatchMethods(cmd: unknown): string[] | undefined {
  try {
    const list = Array.isArray(cmd) ? cmd : cmd && typeof cmd === "object" ? Object.values(cmd) : [];
    return list.map((c) => parseBatchCommand(c as string).method);
  } catch {
    return undefined;
  }
}
