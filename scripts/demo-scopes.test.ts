import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import manifest from "@/bitrix24.app";

/**
 * The emulator grants an app the scopes it is started with, like the permissions ticked in a real app's form. The
 * demo and the e2e run must grant what the manifest asks for, or the installer's robot and placement binding fail.
 */
const scopesIn = (file: string) => /"--scope",?\s*"([a-z_,]+)"|--scope ([a-z_,]+)/.exec(readFileSync(file, "utf8"));

describe("emulator scopes follow bitrix24.app.ts", () => {
  it.each(["scripts/demo.mjs", "playwright.config.ts"])("%s grants exactly the manifest's scopes", (file) => {
    const m = scopesIn(file);
    expect(m, `${file} starts the emulator without --scope`).not.toBeNull();
    expect((m![1] ?? m![2])!.split(",").sort()).toEqual([...manifest.scopes].sort());
  });
});
