import { defineConfig } from "@playwright/test";
import e2eConfig from "./playwright.config";

/**
 * `npm run screenshots`: the README's and the Marketplace listing's pictures (docs/screenshots/*.png, 1280×720,
 * the Marketplace's screenshot size), taken against the same emulator and production build as the e2e suite
 * (`npm run build` first). Its own testDir, so `npm run test:e2e` never runs it.
 */
const [emulator, app] = e2eConfig.webServer as Array<{ env?: Record<string, string> }>;

export default defineConfig({
  ...e2eConfig,
  testDir: "./e2e/screenshots",
  reporter: "list",
  timeout: 180_000,
  use: { ...e2eConfig.use, viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 },
  // One Bitrix24 region, as most deployments have: the landing page then shows no region choice.
  webServer: [emulator!, { ...app!, env: { ...app!.env, B24_OAUTH_SERVERS: "" } }] as typeof e2eConfig.webServer,
});
