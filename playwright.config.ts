import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { appEnv, E2E_BUCKET, e2e, ensurePorts } from "./e2e/env";

ensurePorts();

// Debian's Chromium when present (browsers cannot be downloaded on every machine); PW_CHROMIUM_PATH overrides,
// and PW_CHROMIUM_PATH="" forces Playwright's own browser.
const chromiumPath =
  process.env.PW_CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));


export default defineConfig({
  testDir: "./e2e/specs",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  // CI machines can be several times slower than a developer's; assertions wait for what a person would wait for.
  expect: { timeout: 10_000 },
  // The JSON report feeds `npm test`'s closing total (scripts/test-all.mjs sets PLAYWRIGHT_JSON_OUTPUT_FILE).
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ? [["list"], ["json"]] : "list",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: e2e.appUrl,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: chromiumPath
      ? {
          executablePath: chromiumPath,
          args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        }
      : undefined,
  },
  webServer: [
    {
      command: `node node_modules/tsx/dist/cli.mjs e2e/emulator/cli.ts --oauth-port ${process.env.E2E_OAUTH_PORT} --portal-port ${process.env.E2E_PORTAL_PORT} --app-url ${e2e.appUrl} --client-id ${e2e.clientId} --client-secret ${e2e.clientSecret} --portals 2 --deals 120 --contacts 75 --rate-limit custom:${E2E_BUCKET.burst}:${E2E_BUCKET.perSec} --scope crm,user,placement,bizproc --second-oauth-port ${process.env.E2E_OAUTH2_PORT} --second-client-id ${e2e.clientId2} --second-client-secret ${e2e.clientSecret2} --self-hosted-port ${process.env.E2E_SELF_HOSTED_PORT}`,
      url: `${e2e.oauthUrl}/__emulator/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
    },
    {
      command: "node scripts/e2e-app.mjs",
      url: `${e2e.appUrl}/api/health`,
      env: appEnv(),
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
    },
  ],
});
