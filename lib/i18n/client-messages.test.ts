import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const { CLIENT_NAMESPACES, pickMessages } = await import("./client-messages");
const { messagesFor } = await import("./messages");

const root = join(__dirname, "..", "..");

function clientFiles(): string[] {
  return ["app", "components"]
    .flatMap((dir) => readdirSync(join(root, dir), { withFileTypes: true, recursive: true }).map((e) => join(e.parentPath, e.name)))
    .filter((f) => /\.tsx?$/.test(f) && !f.includes(".test.") && /^["']use client["']/m.test(readFileSync(f, "utf8")));
}

/** The message paths a client file reads: useTranslations("ns.sub") prefixes, and t("ns.key") under a root useTranslations(). */
function readPaths(source: string): string[] {
  const scoped = [...source.matchAll(/useTranslations\(\s*"([A-Za-z0-9_.]+)"\s*\)/g)].map((m) => m[1]!);
  const rooted = /useTranslations\(\s*\)/.test(source) ? [...source.matchAll(/\bt(?:\.rich)?\(\s*[`"]([A-Za-z0-9_]+)\./g)].map((m) => m[1]!) : [];
  return [...scoped, ...rooted];
}

/** Client components of the signed-out pages (landing, installer, root error pages); every other one is signed-in. */
const isPublic = (f: string) => /components\/(connect-form|install-runner)\.tsx$/.test(f) || (/\/app\//.test(f) && !/app\/\((app|placement)\)\//.test(f));
const uncovered = (files: string[], paths: readonly string[]) =>
  [...new Set(files.flatMap((f) => readPaths(readFileSync(f, "utf8")).filter((p) => !covered(paths, p)).map((p) => `${relative(root, f)}: ${p}`)))];

const covered = (paths: readonly string[], want: string) => paths.some((p) => want === p || want.startsWith(`${p}.`));

describe("client messages", () => {
  it("every namespace a client component reads reaches the browser on signed-in pages", () => {
    expect(uncovered(clientFiles().filter((f) => !isPublic(f)), CLIENT_NAMESPACES.app)).toEqual([]);
  });

  it("client components outside the signed-in areas read only the public namespaces", () => {
    const publicFiles = clientFiles().filter(isPublic);
    expect(publicFiles.length).toBeGreaterThanOrEqual(2);
    expect(uncovered(publicFiles, CLIENT_NAMESPACES.public)).toEqual([]);
  });

  it("picks whole namespaces and sub-trees, nothing else", () => {
    const picked = pickMessages(messagesFor("en"), "app") as Record<string, Record<string, unknown>>;
    expect(Object.keys(picked).sort()).toEqual(["bucket", "common", "contacts", "dashboard", "dealTab", "deals", "errors", "settings"]);
    expect(Object.keys(picked.dashboard!)).toEqual(["retryJob"]);
    expect(JSON.stringify(pickMessages(messagesFor("en"), "public"))).not.toContain("Welcome");
  });
});
