import { RestError } from "../envelope";

type Row = Record<string, string | null>;
type Test = (row: Row) => boolean;

/** Longest prefixes first so `>=` is not read as `>` followed by `=`. */
const OPS = [">=", "<=", "!@", "!=", "=%", "%=", ">", "<", "@", "%", "=", "!"] as const;
type Op = (typeof OPS)[number];

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function like(value: string, pattern: string): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${re}$`, "is").test(value);
}

function values(v: unknown): string[] {
  const arr = Array.isArray(v) ? v : v && typeof v === "object" ? Object.values(v) : [v];
  return arr.map((x) => (x === null || x === undefined ? "" : String(x)));
}

function test(op: Op, field: string, expected: unknown): Test {
  const list = values(expected);
  const one = list[0] ?? "";
  const isList = typeof expected === "object" && expected !== null;
  const get = (row: Row): string => row[field] ?? "";
  switch (op) {
    case ">=": return (r) => compare(get(r), one) >= 0;
    case "<=": return (r) => compare(get(r), one) <= 0;
    case ">": return (r) => compare(get(r), one) > 0;
    case "<": return (r) => compare(get(r), one) < 0;
    case "@": return (r) => list.some((x) => compare(get(r), x) === 0);
    case "!@": return (r) => !list.some((x) => compare(get(r), x) === 0);
    case "%": return (r) => list.some((x) => get(r).toLowerCase().includes(x.toLowerCase()));
    case "=%":
    case "%=": return (r) => list.some((x) => like(get(r), x));
    case "=": return (r) => list.some((x) => compare(get(r), x) === 0);
    case "!":
    case "!=": return isList ? (r) => !list.some((x) => compare(get(r), x) === 0) : (r) => compare(get(r), one) !== 0;
  }
}

/** `filter` keys with the documented prefix operators; an array value means "any of". */
export function buildFilter(filter: unknown, fields: readonly string[]): Test {
  if (filter === undefined || filter === null || filter === "") return () => true;
  if (typeof filter !== "object" || Array.isArray(filter)) {
    throw new RestError(400, "", "Parameter 'filter' must be array.");
  }
  const tests: Test[] = [];
  for (const [rawKey, value] of Object.entries(filter as Record<string, unknown>)) {
    const op: Op = OPS.find((o) => rawKey.startsWith(o)) ?? "=";
    const field = (rawKey.startsWith(op) && /[^A-Z0-9_]/i.test(rawKey[0] ?? "") ? rawKey.slice(op.length) : rawKey).toUpperCase();
    if (!fields.includes(field)) continue;
    tests.push(test(op, field, value));
  }
  return (row) => tests.every((t) => t(row));
}

export function buildOrder(order: unknown, fields: readonly string[]): (a: Row, b: Row) => number {
  const pairs: Array<[string, number]> = [];
  if (order && typeof order === "object" && !Array.isArray(order)) {
    for (const [k, dir] of Object.entries(order as Record<string, unknown>)) {
      const f = k.toUpperCase();
      if (fields.includes(f)) pairs.push([f, String(dir).toUpperCase() === "DESC" ? -1 : 1]);
    }
  }
  if (!pairs.some(([f]) => f === "ID")) pairs.push(["ID", 1]);
  return (a, b) => {
    for (const [f, dir] of pairs) {
      const c = compare(a[f] ?? "", b[f] ?? "");
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}

export function selectFields(row: Row, select: unknown, fields: readonly string[]): Row {
  const wanted = values(select ?? []).map((s) => s.toUpperCase());
  if (wanted.length === 0 || wanted.includes("*")) return { ...row };
  const out: Row = {};
  for (const f of wanted) if (fields.includes(f)) out[f] = row[f] ?? null;
  return out;
}
