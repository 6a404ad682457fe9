// Preloaded into the standalone server by scripts/e2e-app.mjs (E2E_STANDALONE_DIR): any module resolved from the
// repository (its node_modules or sources) ends the process, so the standalone e2e fails unless the copied folder
// alone is enough to run the app.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature
const Module = require("node:module");
const repo = process.env.E2E_REPO_ROOT;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = resolve.call(this, request, ...rest);
  if (repo && typeof file === "string" && file.startsWith(repo)) {
    console.error(`standalone-guard: ${request} resolved inside the repository (${file}); the standalone folder is incomplete`);
    process.exit(70);
  }
  return file;
};
