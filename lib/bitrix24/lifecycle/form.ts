import { B24Error } from "@/lib/errors";

/**
 * The one parser for form bodies Bitrix24 posts to the app (event deliveries, install callbacks):
 * `application/x-www-form-urlencoded` with PHP bracket keys (`auth[member_id]=…`, `data[FIELDS][ID]=7`).
 * Written for hostile input rather than convenience:
 *
 * - body ≤ FORM_LIMITS.bytes (413), content type exactly urlencoded, charset absent or UTF-8 (400);
 * - bytes must be valid UTF-8 and every `%` must start a valid escape of valid UTF-8 (400);
 * - ≤ FORM_LIMITS.keys pairs, ≤ FORM_LIMITS.depth path segments (`data[FIELDS][ID]` has 3), keys ≤ 256 chars (400);
 * - a segment `__proto__`, `constructor` or `prototype` rejects the whole body (400), and the result is built
 *   from null-prototype objects, so no key can reach Object.prototype;
 * - duplicate rule: every key may appear ONCE. A repeated key (`auth[application_token]` twice), an empty
 *   segment (`a[]`, whose meaning depends on order) or a key that is both a value and a parent (`a=1&a[b]=2`)
 *   → 400. PHP's http_build_query, which Bitrix24 uses, never produces any of these, so only forgeries do.
 */
export const FORM_LIMITS = { bytes: 64 * 1024, keys: 200, depth: 5, keyLength: 256 } as const;

export type FormValue = string | FormTree;
export interface FormTree {
  [key: string]: FormValue;
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const SEGMENT = /\[([^[\]]*)\]/g;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

const bad = (message: string) => new B24Error("bad_request", message);

/**
 * `application/x-www-form-urlencoded`, optionally with `charset=utf-8`; anything else is a 400 (the checklist's item
 * 30 bounds hostile bodies to 400/403/413, so the more specific 415 is not used).
 */
export function checkContentType(header: string | null): void {
  const [type, ...params] = (header ?? "").split(";").map((s) => s.trim().toLowerCase());
  const charsetOk = params.every((p) => p === "" || /^charset="?utf-8"?$/.test(p));
  if (type !== "application/x-www-form-urlencoded" || !charsetOk) {
    throw bad("Expected an application/x-www-form-urlencoded body.");
  }
}

/** Reads at most `limit` bytes; a declared or actual size beyond it is refused without buffering the rest. */
export async function readLimited(req: Request, limit: number = FORM_LIMITS.bytes): Promise<Uint8Array> {
  const tooLarge = () => new B24Error("payload_too_large", "The body is too large.");
  const declared = req.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limit)) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function decodeComponent(raw: string): string {
  if (BAD_ESCAPE.test(raw)) throw bad("The body has an invalid percent escape.");
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    throw bad("The body has a percent escape that is not valid UTF-8.");
  }
}

function splitPath(key: string): string[] {
  if (key.length > FORM_LIMITS.keyLength) throw bad("A form key is too long.");
  const m = KEY.exec(key);
  if (!m) throw bad("A form key is malformed.");
  const path = [m[1]!, ...Array.from(m[2]!.matchAll(SEGMENT), (s) => s[1]!)];
  if (path.length > FORM_LIMITS.depth) throw bad("A form key is nested too deeply.");
  for (const seg of path) {
    if (seg === "") throw bad("Empty brackets are not accepted; use explicit indexes.");
    if (FORBIDDEN.has(seg)) throw bad("A form key uses a reserved name.");
  }
  return path;
}

/** Parses an already size-checked urlencoded text into null-prototype objects (rules in the header comment). */
export function parseFormText(text: string): FormTree {
  const root: FormTree = Object.create(null) as FormTree;
  if (text === "") return root;
  const pairs = text.split("&");
  if (pairs.length > FORM_LIMITS.keys) throw bad("The body has too many fields.");
  for (const pair of pairs) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const path = splitPath(decodeComponent(eq < 0 ? pair : pair.slice(0, eq)));
    const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const next = Object.hasOwn(node, seg) ? node[seg] : undefined;
      if (typeof next === "string") throw bad("A form key is used both as a value and as a group.");
      node = next ?? (node[seg] = Object.create(null) as FormTree);
    }
    const leaf = path[path.length - 1]!;
    if (Object.hasOwn(node, leaf)) throw bad("A form key appears more than once.");
    node[leaf] = value;
  }
  return root;
}

/** Content type → size → UTF-8 → structure; throws B24Error 400 / 413. */
export async function parseFormRequest(req: Request): Promise<FormTree> {
  checkContentType(req.headers.get("content-type"));
  const bytes = await readLimited(req);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw bad("The body is not valid UTF-8.");
  }
  return parseFormText(text);
}

/** The string at `path`, or undefined when absent or a group. */
export function formString(tree: FormTree, ...path: string[]): string | undefined {
  let node: FormValue | undefined = tree;
  for (const seg of path) {
    if (typeof node !== "object") return undefined;
    node = Object.hasOwn(node, seg) ? node[seg] : undefined;
  }
  return typeof node === "string" ? node : undefined;
}
