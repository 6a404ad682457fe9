import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/**
 * The frame client's weight, two ways, each bundled and minified by esbuild for the browser and gzipped: this
 * template's bridge (components/b24-frame.ts) and the official SDK's `initializeB24Frame` tree-shaken from
 * @bitrix24/b24jssdk. The SDK is not used (its init asks the portal for the user's AUTH_ID and REFRESH_ID, which
 * this template keeps out of page JavaScript); the figure says what it would have cost as well.
 */
const root = fileURLToPath(new URL("..", import.meta.url));

async function gzBundle(contents: string): Promise<number> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: { "@": root },
  });
  return gzipSync(out.outputFiles[0]!.contents).length;
}

export async function frameClientWeights(): Promise<{ ours: number; sdk: number }> {
  const [ours, sdk] = await Promise.all([
    gzBundle(`import { currentFrameBridge } from "@/components/b24-frame"; (globalThis as any).b = currentFrameBridge;`),
    gzBundle(`import { initializeB24Frame } from "@bitrix24/b24jssdk"; (globalThis as any).b = initializeB24Frame;`),
  ]);
  return { ours, sdk };
}
