import { B24Error } from "@/lib/errors";

/**
 * Method names and batch commands, the two places where request data becomes part of a Bitrix24 URL or of a
 * command the portal runs with our token. Everything here rejects rather than repairs.
 */

/** No `u` flag: with it, `i` folds `ſ` to `s` and `K` (Kelvin) to `k`, letting non-ASCII names through. */
const METHOD_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,5}$/i;
const SINGLE_WORD_METHODS = new Set(["profile", "batch", "scope", "methods"]);
const MAX_METHOD_LENGTH = 100;
/** Batch keys end up inside `$result[key]` references, so brackets and other syntax are kept out of them. */
const BATCH_KEY = /^[A-Za-z0-9_]{1,50}$/;
export const MAX_BATCH_COMMANDS = 50;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Credentials ride in the outer request only; a command carrying its own would override or leak them. */
const AUTH_KEYS = new Set(["auth", "access_token"]);
const MAX_DEPTH = 8;
const MAX_PAIRS = 1000;

export function isValidMethodName(name: unknown): name is string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_METHOD_LENGTH) return false;
  return METHOD_PATTERN.test(name) || SINGLE_WORD_METHODS.has(name.toLowerCase());
}

export function isBatchKey(key: string): boolean {
  return BATCH_KEY.test(key);
}

export type Params = Record<string, unknown>;

/** `a[b][]` → ["a", "b", ""]; null for keys PHP would mangle (`a[b`, `a]`, `[a]`). */
function splitKey(key: string): string[] | null {
  const open = key.indexOf("[");
  if (open < 0) return key === "" || key.includes("]") ? null : [key];
  if (open === 0 || !/^(\[[^[\]]*\])+$/.test(key.slice(open))) return null;
  return [key.slice(0, open), ...[...key.slice(open).matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? "")];
}

function nextIndex(node: Params): string {
  let max = -1;
  for (const k of Object.keys(node)) if (/^\d+$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

/** PHP serialises 0..n-1 keyed arrays as lists; mirror that so parsed commands look like what Bitrix24 sees. */
function toLists(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const node = value as Params;
  const keys = Object.keys(node);
  for (const k of keys) node[k] = toLists(node[k]);
  return keys.length > 0 && keys.every((k, i) => k === String(i)) ? keys.map((k) => node[k]) : node;
}

/** A PHP-style query string (`filter[>ID]=5&select[]=ID`) as a nested object. */
export function parsePhpQuery(query: string): Params {
  const root: Params = {};
  let pairs = 0;
  for (const [rawKey, value] of new URLSearchParams(query)) {
    if (++pairs > MAX_PAIRS) throw new B24Error("bad_request", "The batch command has too many parameters.");
    const parts = splitKey(rawKey);
    if (!parts || parts.length > MAX_DEPTH) throw new B24Error("bad_request", "The batch command has a malformed parameter name.");
    if (parts.some((p) => FORBIDDEN_KEYS.has(p))) throw new B24Error("bad_request", "The batch command has a forbidden parameter name.");
    let node = root;
    parts.forEach((raw, i) => {
      const part = raw === "" && i > 0 ? nextIndex(node) : raw;
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const child = node[part];
      if (child === null || typeof child !== "object") node[part] = {};
      node = node[part] as Params;
    });
  }
  return toLists(root) as Params;
}

/**
 * The inverse, as PHP's http_build_query: booleans become 1/0, null/undefined are skipped. `$`, `[` and `]` stay
 * literal in values so a `$result[cmd][field]` reference reads the same whether the portal substitutes before or
 * after decoding the command.
 */
export function encodePhpQuery(params: Params): string {
  const out: string[] = [];
  const value = (v: string) => encodeURIComponent(v).replace(/%24/g, "$").replace(/%5B/g, "[").replace(/%5D/g, "]");
  const walk = (v: unknown, key: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new B24Error("bad_request", "The parameters are nested too deeply.");
    if (v === null || v === undefined) return;
    if (typeof v === "boolean") out.push(`${key}=${v ? 1 : 0}`);
    else if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") out.push(`${key}=${value(String(v))}`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${key}[${i}]`, depth + 1));
    else if (typeof v === "object") {
      for (const [k, x] of Object.entries(v as Params)) walk(x, `${key}[${checkedKey(k)}]`, depth + 1);
    } else throw new B24Error("bad_request", "The parameters contain a value that cannot be sent.");
  };
  for (const [k, v] of Object.entries(params)) walk(v, checkedKey(k), 1);
  return out.join("&");
}

function checkedKey(k: string): string {
  if (k === "" || /[[\]]/.test(k) || FORBIDDEN_KEYS.has(k)) throw new B24Error("bad_request", "The parameters contain a malformed key.");
  return encodeURIComponent(k);
}

export function hasAuthOverride(params: Params): boolean {
  return Object.keys(params).some((k) => AUTH_KEYS.has(k.toLowerCase()));
}

/** `method?querystring` → `{method, params}`; throws `bad_request` for anything that is not plainly one command. */
export function parseBatchCommand(cmd: string): { method: string; params: Params } {
  if (typeof cmd !== "string") throw new B24Error("bad_request", "A batch command must be a string.");
  const q = cmd.indexOf("?");
  const method = q < 0 ? cmd : cmd.slice(0, q);
  if (!isValidMethodName(method)) throw new B24Error("bad_request", "A batch command has an invalid method name.");
  const params = parsePhpQuery(q < 0 ? "" : cmd.slice(q + 1));
  if (hasAuthOverride(params)) throw new B24Error("bad_request", "A batch command may not carry credentials.");
  return { method, params };
}

/** Batch `cmd` (object or list) as [key, command] pairs; a `cmd` of any other shape is refused. */
export function batchEntries(cmd: unknown): Array<[string, unknown]> {
  if (Array.isArray(cmd)) return cmd.map((c, i) => [String(i), c]);
  if (cmd && typeof cmd === "object") return Object.entries(cmd as Params);
  throw new B24Error("bad_request", "batch needs a cmd object.");
}

export interface MethodPolicy {
  /** Throws before anything is sent: `bad_request` for malformed input, `method_not_allowed` outside the allow-list. */
  check(method: string, params?: Params): void;
}

export function createMethodPolicy(allow: readonly string[]): MethodPolicy {
  const allowed = new Set(allow.map((m) => m.toLowerCase()));
  const requireAllowed = (method: string): void => {
    if (!allowed.has(method.toLowerCase())) throw new B24Error("method_not_allowed", `The method ${method} is not allowed here.`);
  };
  return {
    check(method, params = {}) {
      if (!isValidMethodName(method)) throw new B24Error("bad_request", "Invalid Bitrix24 method name.");
      requireAllowed(method);
      if (hasAuthOverride(params)) throw new B24Error("bad_request", "Credentials may not be passed as parameters.");
      if (method.toLowerCase() !== "batch") return;
      const entries = batchEntries(params.cmd);
      if (entries.length === 0 || entries.length > MAX_BATCH_COMMANDS) {
        throw new B24Error("bad_request", `batch takes 1 to ${MAX_BATCH_COMMANDS} commands.`);
      }
      // Every command is checked before any is sent: a bad one at the end must not let earlier ones run.
      for (const [key, cmd] of entries) {
        if (!isBatchKey(key)) throw new B24Error("bad_request", "A batch command has an invalid key.");
        const { method: sub } = parseBatchCommand(cmd as string);
        if (sub.toLowerCase() === "batch") throw new B24Error("method_not_allowed", "batch cannot be nested.");
        requireAllowed(sub);
      }
    },
  };
}
