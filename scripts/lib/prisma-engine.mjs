// Loads Prisma's schema engine (the same Rust code as the native `schema-engine` binary, compiled to wasm and
// published as @prisma/schema-engine-wasm) and connects it to the database through the app's own driver adapters.
// Prisma 7.10 no longer wires this up for `prisma migrate`, and the native binary cannot be downloaded here.
// The workarounds for adapter bugs live in scripts/lib/prisma-adapters.mjs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

/** The package is internal to Prisma ("API will break without prior warning"): only run the build matching the CLI. */
export function checkEngineVersion() {
  const bgJs = fileURLToPath(import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const wasmPkg = JSON.parse(readFileSync(path.join(path.dirname(bgJs), "package.json"), "utf8"));
  // Resolve engines-version the way the prisma CLI does (from its own location), not whatever is hoisted.
  const fromPrisma = createRequire(require.resolve("prisma/package.json"));
  const enginesPkg = fromPrisma("@prisma/engines-version/package.json");
  const prismaPkg = require("prisma/package.json");
  if (wasmPkg.version !== enginesPkg.version) {
    throw new Error(
      `@prisma/schema-engine-wasm ${wasmPkg.version} does not match prisma ${prismaPkg.version} ` +
        `(@prisma/engines-version ${enginesPkg.version}). Pin "@prisma/schema-engine-wasm" in package.json to ` +
        `exactly "${enginesPkg.version}" (see prisma/README.md, "Upgrading Prisma").`,
    );
  }
  return { bgJs, wasmVersion: wasmPkg.version, hash: enginesPkg.prisma.enginesVersion, prismaVersion: prismaPkg.version };
}

let panicMessage = null;

/**
 * Instantiates the wasm module by hand: the package's entry point does `import * as wasm from "x.wasm"`,
 * which Node 20 only allows behind --experimental-wasm-modules.
 */
async function loadWasm() {
  const { bgJs, hash } = checkEngineVersion();
  const bg = await import(bgJs);
  const bytes = readFileSync(path.join(path.dirname(bgJs), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  // The engine's panic hook reports the message here; without it a panic is only "unreachable".
  globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (m) => (panicMessage = m) };
  const built = bg.version();
  if (built !== hash) throw new Error(`schema engine wasm reports version ${built}, expected ${hash}`);
  return bg;
}

/** An error the engine reported to the user (code such as P3009), or a failure of the database driver. */
export class EngineError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {{ schemaPath: string, schema: string, factory: object, debug?: boolean }} opts
 *   factory: a SqlMigrationAwareDriverAdapterFactory (connect + connectToShadowDb)
 */
export async function startEngine({ schemaPath, schema, factory, debug = !!process.env.PRISMA_WASM_DEBUG }) {
  const bg = await loadWasm();
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const log = (line) => {
    if (debug) process.stderr.write(`[schema-engine] ${line}\n`);
  };
  const engine = await bg.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, log, bound).catch((e) => {
    throw toEngineError(e, bound.errorRegistry);
  });

  // Calls go through this proxy so every failure is turned into one readable EngineError.
  return new Proxy(engine, {
    get(target, prop) {
      const value = target[prop];
      if (typeof value !== "function" || prop === "free") return value?.bind?.(target) ?? value;
      return async (input) => {
        try {
          return await value.call(target, input);
        } catch (e) {
          throw toEngineError(e, bound.errorRegistry);
        }
      };
    },
  });
}

function toEngineError(e, registry) {
  if (e instanceof EngineError) return e;
  if (panicMessage) {
    const m = panicMessage;
    panicMessage = null;
    return new EngineError(`The schema engine panicked: ${m}`, "PANIC");
  }
  // A JS exception thrown inside an adapter call is parked in the registry; the engine only returns its id.
  const id = /External error id#(\d+)/.exec(String(e?.message ?? ""))?.[1] ?? e?.meta?.id ?? e?.id;
  if (id !== undefined && registry) {
    const rec = registry.consumeError(Number(id));
    if (rec) return driverError(rec.error);
  }
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string") {
    return new EngineError(String(e.message ?? e), e.code);
  }
  return new EngineError(String(e?.message ?? e), "UNKNOWN");
}

function driverError(err) {
  const code = err?.code ?? err?.cause?.originalCode ?? "DRIVER";
  return new EngineError(String(err?.message ?? err), code);
}
