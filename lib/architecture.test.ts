import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Two rules of the layout that review alone would let slip (README "Where things live"):
 * 1. Only the persistence module (lib/bitrix24/store/) reads or writes the portal, user and token-pair tables, so
 *    the tenant filter and the row mappers live in one place.
 * 2. Generic modules (log, env, db, errors, redaction, http helpers) never import the Bitrix24 folder: the vendor
 *    code depends on them, never the other way round.
 */
const ROOT = normalize(join(__dirname, ".."));
const STORE = "lib/bitrix24/store/";
const GENERIC = [/^lib\/(env|db|db-errors|log|process-local|redact|errors|safe-equal|health|auth-cookies|metrics|request-context)\.ts$/, /^lib\/http\//];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return path === "lib/generated" ? [] : sources(path);
    return /\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

const TABLE_ACCESS = /\b(?:db\(\)|tx)\s*\.\s*(?:portal|user|tokenPair)\s*\.|\b(?:FROM|JOIN|UPDATE|INTO)\s+"(?:Portal|User|TokenPair)"/;

export function tableAccesses(path: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (TABLE_ACCESS.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

export function vendorImports(path: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
    const spec = m[1]!;
    const target = spec.startsWith("@/") ? spec.slice(2) : spec.startsWith(".") ? relative(ROOT, join(ROOT, dirname(path), spec)) : null;
    if (target?.startsWith("lib/bitrix24")) out.push(`${path} imports ${spec}`);
  }
  return out;
}

const files = ["app", "components", "lib"].flatMap(sources);

describe("layout rules", () => {
  it("only lib/bitrix24/store/ touches the portal, user and token-pair tables", () => {
    const offenders = files.filter((f) => !f.startsWith(STORE)).flatMap((f) => tableAccesses(f, readFileSync(join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("generic lib/ modules never import the Bitrix24 folder", () => {
    const generic = files.filter((f) => GENERIC.some((g) => g.test(f)));
    expect(generic.length).toBeGreaterThanOrEqual(8);
    expect(generic.flatMap((f) => vendorImports(f, readFileSync(join(ROOT, f), "utf8")))).toEqual([]);
  });

  it("the rules see what they are meant to see", () => {
    expect(tableAccesses("x.ts", "await db().portal.update({})")).toHaveLength(1);
    expect(tableAccesses("x.ts", "  await tx.tokenPair.deleteMany({ where })")).toHaveLength(1);
    expect(tableAccesses("x.ts", 'SELECT 1 FROM "TokenPair" t JOIN "Portal" p')).toHaveLength(1);
    expect(tableAccesses("x.ts", "await db().rateBucket.upsert({})")).toHaveLength(0);
    expect(vendorImports("lib/log.ts", 'import { x } from "@/lib/bitrix24/transport/http";')).toHaveLength(1);
    expect(vendorImports("lib/http/csp.ts", 'import { x } from "../bitrix24/config";')).toHaveLength(1);
    expect(vendorImports("lib/http/csp.ts", 'import { x } from "./hosts";')).toHaveLength(0);
  });
});
