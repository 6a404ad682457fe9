/**
 * PHP-style bracket parameters (`fields[TITLE]=x`, `select[]=ID`), the wire format of Bitrix24 forms, query
 * strings and event deliveries. Keys that could pollute prototypes are dropped, and depth is capped like PHP's
 * max_input_nesting_level so hostile input cannot blow the stack.
 */
export type Params = Record<string, unknown>;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const MAX_DEPTH = 32;

function splitKey(key: string): string[] | null {
  const open = key.indexOf("[");
  if (open <= 0) return key === "" ? null : [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/gy;
  re.lastIndex = open;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null) parts.push(m[1] ?? "");
  return parts;
}

function nextIndex(obj: Record<string, unknown>): string {
  let max = -1;
  for (const k of Object.keys(obj)) if (/^\d+$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

function toArrays(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = toArrays(obj[k]);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
  return obj;
}

export function parseBracketEntries(entries: Iterable<[string, string]>): Params {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of entries) {
    const parts = splitKey(rawKey);
    if (!parts || parts.length > MAX_DEPTH || parts.some((p) => FORBIDDEN.has(p))) continue;
    let cur = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] === "" && i > 0 ? nextIndex(cur) : (parts[i] as string);
      if (i === parts.length - 1) {
        cur[part] = value;
      } else {
        const existing = cur[part];
        if (existing === null || typeof existing !== "object") cur[part] = {};
        cur = cur[part] as Record<string, unknown>;
      }
    }
  }
  return toArrays(root) as Params;
}

export function parseQueryString(text: string): Params {
  return parseBracketEntries(new URLSearchParams(text).entries());
}

/** The inverse, as PHP's http_build_query writes it: booleans become 1/0 and nulls are skipped. */
export function encodeBracket(data: Record<string, unknown>): URLSearchParams {
  const out = new URLSearchParams();
  const walk = (value: unknown, key: string): void => {
    if (value === null || value === undefined) return;
    if (typeof value === "boolean") out.append(key, value ? "1" : "0");
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}[${i}]`));
    else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, `${key}[${k}]`);
    } else out.append(key, String(value));
  };
  for (const [k, v] of Object.entries(data)) walk(v, k);
  return out;
}
