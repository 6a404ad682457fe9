import type { Page } from "@playwright/test";
import type { EmulatorApi } from "./emulator-api";
import { PortalAppPage } from "./pages/portal-app";

/**
 * Shared steps of the specs that need their own portal: a fresh emulated portal with the app installed through its
 * installer in the portal's frame (installFinish), and questions put to the portal directly, as an oracle
 * independent of the app's code.
 */
export async function installedInFrame(page: Page, emulator: EmulatorApi, seed: { deals?: number; contacts?: number; language?: string } = {}) {
  const portal = await emulator.addPortal({ installed: false, ...seed });
  await emulator.install(portal.memberId);
  const app = new PortalAppPage(page);
  await app.open(portal.url);
  await app.expectInstallFinished();
  await app.expectDashboard("Ivan Petrov", portal.host);
  return { portal, app };
}

/** What Bitrix24 itself says, asked with the administrator's live token straight at the portal's REST. */
export async function portalRest<T>(emulator: EmulatorApi, portal: { url: string; memberId: string }, method: string, params: object): Promise<T> {
  const token = (await emulator.tokens()).find((t) => t.memberId === portal.memberId && t.userId === 1 && !t.accessExpired)!;
  const res = await fetch(`${portal.url}/rest/${method}.json`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...params, auth: token.access }) });
  return ((await res.json()) as { result: T }).result;
}
