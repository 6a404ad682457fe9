import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "../fixtures";
import { startEmulator, type Emulator } from "../emulator";

/**
 * The official b24jssdk (npm @bitrix24/b24jssdk, its UMD bundle) inside the emulated portal's frames: if the
 * real SDK's initializeB24Frame / installFinish / REST calls work against the emulator, the bridge speaks the
 * protocol and not just what our own app happens to send. The SDK "app" is a throwaway page server; the portal is
 * a private in-process emulator whose app URLs point at it, so the shared emulator of the other specs is untouched.
 */
const SDK_JS = readFileSync(join(process.cwd(), "node_modules/@bitrix24/b24jssdk/dist/umd/index.min.js"));
const APP = { clientId: "local.sdk0000000000001.00000001", clientSecret: "sdk-spec-secret-0123456789" };

// Each step of the page is appended to #out as one JSON line, so the test reads what the SDK saw.
const APP_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>SDK app</title></head><body>
<h1>SDK app</h1><pre id="out"></pre><script src="/sdk.js"></script><script>
function out(o) { document.getElementById("out").textContent += JSON.stringify(o) + "\\n"; }
B24Js.initializeB24Frame().then(async function ($b24) {
  out({ step: "init", install: $b24.isInstallMode, firstRun: $b24.isFirstRun, placement: $b24.placement.placement, options: $b24.placement.options, lang: $b24.getLang() });
  if ($b24.isInstallMode) { out({ step: "finishing" }); await $b24.installFinish(); return; }
  var mode = ($b24.placement.options || {}).mode;
  if (mode === "opener") {
    out({ step: "closed", result: await $b24.slider.openSliderAppPage({ mode: "child", bx24_title: "Child slider", bx24_width: 600 }) });
    out({ step: "path", result: await $b24.slider.openPath($b24.getTargetOrigin() + "/crm/deal/details/1/") });
    return;
  }
  if (mode === "child") {
    out({ step: "child", result: await $b24.parent.resizeWindow(500, 500) });
    await $b24.parent.closeApplication();
    return;
  }
  var profile = await $b24.actions.v2.call.make({ method: "profile", params: {} });
  out({ step: "profile", result: profile.getData().result });
  if (!$b24.placement.isDefault) {
    out({ step: "interface", result: await $b24.placement.getInterface() });
    await $b24.parent.resizeWindow(700, 333);
    out({ step: "resized" });
    out({ step: "title", result: await $b24.parent.setTitle("denied in placements") });
    out({ step: "reloadData", result: await $b24.placement.call("reloadData") });
  }
}).catch(function (e) { out({ step: "error", message: String((e && e.message) || e) }); });
</script></body></html>`;

let server: Server;
let appUrl = "";
let emu: Emulator;

test.beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/sdk.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(SDK_JS);
    // The portal POSTs the frame form here (installer, app page, placement handler alike).
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(APP_PAGE));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emu = await startEmulator({
    rateLimit: "off",
    app: { ...APP, appUrl, handlerUrl: `${appUrl}/app`, installUrl: `${appUrl}/install` },
    portals: [{ installed: false, deals: 3 }],
  });
});

test.afterAll(async () => {
  await emu?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

// A retried test runs in a fresh worker with a fresh portal, so each test after the first installs what it needs.
async function ensureInstalled(memberId: string) {
  const state = await emu.control.portal(memberId);
  if (!state.installed) await emu.control.install(memberId);
  if (!state.installFinished) await emu.control.finishInstall(memberId);
}

function steps(text: string): Array<Record<string, unknown>> {
  return text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("initializeB24Frame, installFinish and a REST call of the official SDK work in the emulated portal", async ({ page }) => {
  const portal = emu.portals[0]!;
  await emu.control.install(portal.memberId);
  const out = page.frameLocator("#app-frame").locator("#out");

  await page.goto(`${portal.url}/marketplace/app/?user=1`);
  // installFinish reloads the portal page; the app page then makes its REST call with the frame's token.
  await expect(page.locator("#status")).toHaveText("Installation finished");
  await expect(out).toContainText('"step":"profile"');
  const seen = steps(await out.textContent() ?? "");
  expect(seen[0]).toMatchObject({ step: "init", install: false, firstRun: false, placement: "DEFAULT", lang: "en" });
  expect(seen[1]).toMatchObject({ step: "profile", result: { ID: "1", ADMIN: true } });
  expect((await emu.control.portal(portal.memberId)).installFinished).toBe(true);
  expect(new URL(page.url()).searchParams.get("install_finished")).toBe("Y");

  const log = await emu.control.bridgeLog(portal.memberId);
  const first = (cmd: string) => log.find((e) => e.command === cmd);
  expect(log.filter((e) => e.command === "getInitData")).toHaveLength(2);
  for (const e of log.filter((x) => x.command === "getInitData")) expect(e).toMatchObject({ answered: true, kind: "app", placement: "DEFAULT" });
  // The installer was this user's first run of the version: the SDK stored setInstall, and the app page's run was not first.
  expect(first("setInstall")).toMatchObject({ answered: true, params: { install: true } });
  expect(log.filter((e) => e.command === "setInstall")).toHaveLength(1);
  // setInstallFinish is received and acted on but, as in Bitrix24, never answered: the portal page reloads.
  expect(first("setInstallFinish")).toMatchObject({ answered: false });
  expect(log.every((e) => e.denied === undefined)).toBe(true);
  const rest = (await emu.control.log()).filter((r) => r.server === "portal" && r.path.startsWith("/rest/profile"));
  expect(rest.length).toBeGreaterThan(0);
  expect(rest.at(-1)!.headers.origin).toBe(appUrl);
});

test("a CRM_DEAL_DETAIL_TAB opened from the deal card: options, interface, resize, and the commands placements lose", async ({ page }) => {
  const portal = emu.portals[0]!;
  await ensureInstalled(portal.memberId);
  const code = new URL((await fetch(`${portal.url}/oauth/authorize/`, {
    method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: APP.clientId, user: "1" }).toString(),
  })).headers.get("location")!).searchParams.get("code")!;
  const token = await (await fetch(`${emu.oauthUrl}/oauth/token/`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: APP.clientId, client_secret: APP.clientSecret, code }).toString(),
  })).json() as { access_token: string };
  const bind = await fetch(`${portal.url}/rest/placement.bind`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ auth: token.access_token, PLACEMENT: "CRM_DEAL_DETAIL_TAB", HANDLER: `${appUrl}/tab`, TITLE: "SDK tab", LANG_ALL: { en: { TITLE: "SDK tab" }, de: { TITLE: "SDK-Reiter" } } }),
  });
  expect((await bind.json()).result).toBe(true);
  const since = (await emu.control.bridgeLog(portal.memberId)).at(-1)?.seq ?? 0;

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${portal.url}/crm/deal/details/2/?user=2&lang=de`);
  await expect(page.locator("#deal-title")).toHaveText("Deal #2");
  await page.getByRole("tab", { name: "SDK-Reiter" }).click();
  const frame = page.locator("#placement-frame");
  await expect(frame).toHaveAttribute("name", new RegExp(`^${portal.host.replace(/\./g, "\\.")}\\|0\\|[0-9a-f]{32}$`));
  const out = page.frameLocator("#placement-frame").locator("#out");
  await expect(out).toContainText('"step":"reloadData"');
  const seen = steps(await out.textContent() ?? "");
  expect(seen[0]).toMatchObject({ step: "init", install: false, placement: "CRM_DEAL_DETAIL_TAB", lang: "de", options: { ID: "2", URI: "/crm/deal/details/2/" } });
  expect(seen[1]).toMatchObject({ step: "profile", result: { ID: "2", ADMIN: false } });
  expect(seen[2]).toMatchObject({ step: "interface", result: { command: ["reloadData"], event: [] } });
  // setTitle is denied in placements: no answer, so the SDK's "safe" call gives up after 900 ms.
  expect(seen.find((s) => s.step === "title")).toMatchObject({ result: { isSafely: true } });
  await expect(frame).toHaveCSS("height", "333px");
  await expect(page.locator("#card-reloads")).toHaveText("1");

  await expect.poll(async () => (await emu.control.bridgeLog(portal.memberId, since)).map((e) => [e.command, e.answered, e.denied ?? null])).toEqual([
    ["getInitData", true, null], ["setInstall", true, null], ["getInterface", true, null], ["resizeWindow", true, null],
    ["setTitle", false, "context"], ["reloadData", true, null],
  ]);
  const log = await emu.control.bridgeLog(portal.memberId, since);
  expect(log.every((e) => e.kind === "placement" && e.placement === "CRM_DEAL_DETAIL_TAB")).toBe(true);
});

test("openApplication opens the app in a slider (DEFAULT, params as options), closeApplication answers the opener; openPath", async ({ page }) => {
  const portal = emu.portals[0]!;
  await ensureInstalled(portal.memberId);
  const since = (await emu.control.bridgeLog(portal.memberId)).at(-1)?.seq ?? 0;
  await page.goto(`${portal.url}/marketplace/app/?user=1&placement=DEFAULT&placement_options=${encodeURIComponent('{"mode":"opener"}')}`);
  const out = page.frameLocator("#app-frame").locator("#out");
  // The child resizes (denied in a slider: the SDK gives up after 900 ms) and then closes its own slider.
  await expect(out).toContainText('"step":"closed"');
  const pathSlider = page.locator(".b24-slider.b24-slider-path");
  await expect(pathSlider.locator(".b24-slider-stub")).toContainText("/crm/deal/details/1/?IFRAME=Y&IFRAME_TYPE=SIDE_SLIDER&from=rest_placement&from_app=");
  await pathSlider.locator(".b24-slider-close").click();
  // The SDK turns the portal's {result:"close"} into {isClose:true}.
  await expect(out).toContainText('"step":"path","result":{"isOpenAtNewWindow":false,"isClose":true}');
  await expect(page.locator(".b24-slider")).toHaveCount(0);

  const log = await emu.control.bridgeLog(portal.memberId, since);
  const slider = log.filter((e) => e.kind === "slider");
  expect(slider.map((e) => [e.command, e.answered, e.denied ?? null])).toEqual([
    ["getInitData", true, null], ["resizeWindow", false, "context"], ["closeApplication", true, null],
  ]);
  expect(log.find((e) => e.command === "openApplication")).toMatchObject({ kind: "app", answered: true, params: { mode: "child", bx24_title: "Child slider" } });
  expect(log.find((e) => e.command === "openPath")).toMatchObject({ answered: true });
});
