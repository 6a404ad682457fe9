import { parseArgs } from "node:util";
import { startEmulator } from "./index";

/** `npm run emulator` — flags win over env vars, env vars over defaults. */
const { values } = parseArgs({
  options: {
    "oauth-port": { type: "string" },
    "portal-port": { type: "string" },
    portals: { type: "string" },
    deals: { type: "string" },
    contacts: { type: "string" },
    /** Seeded deals and contacts get plausible fictional titles and names instead of `Deal #<id>` (screenshots, demos). */
    "demo-data": { type: "boolean" },
    "rate-limit": { type: "string" },
    "app-url": { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    "install-handler-url": { type: "string" },
    /** The app's scopes, a comma list (default crm,user,placement). */
    scope: { type: "string" },
    /** Feature rest_offline_extended (event.offline.get with clear=0): on (default) or off. */
    "offline-extended": { type: "string" },
    /** A second OAuth server (another region) on this port, with its own app registration (both flags required). */
    "second-oauth-port": { type: "string" },
    "second-client-id": { type: "string" },
    "second-client-secret": { type: "string" },
    /** One more portal, not installed, on this port from the start (the e2e run's self-hosted portal). */
    "self-hosted-port": { type: "string" },
  },
  strict: true,
});

function num(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`b24-emulator: ${name} must be a non-negative integer\n`);
    process.exit(2);
  }
  return n;
}

const env = process.env;
function rateLimitOption(v: string): "standard" | "enterprise" | "off" | { burst: number; drainPerSec: number } {
  if (v === "standard" || v === "enterprise" || v === "off") return v;
  const custom = /^custom:(\d+):(\d+(?:\.\d+)?)$/.exec(v);
  if (custom) return { burst: Number(custom[1]), drainPerSec: Number(custom[2]) };
  process.stderr.write("b24-emulator: --rate-limit must be standard|enterprise|off|custom:<burst>:<drain per second>\n");
  process.exit(2);
}
/** A comma list of scope names; undefined keeps the emulator's default (crm,user,placement). */
function scopeOption(v: string | undefined): string | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^[a-z0-9_.]+(,[a-z0-9_.]+)*$/.test(v)) {
    process.stderr.write("b24-emulator: --scope must be a comma list of scope names, e.g. crm,user,placement,bizproc\n");
    process.exit(2);
  }
  return v;
}
function onOff(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === "") return undefined;
  if (v === "on" || v === "off") return v === "on";
  process.stderr.write(`b24-emulator: ${name} must be on or off\n`);
  process.exit(2);
}
const rateLimit = rateLimitOption(values["rate-limit"] ?? "standard");
const portalPort = num(values["portal-port"] ?? env.B24_EMULATOR_PORTAL_PORT, 0, "--portal-port");
const portalCount = Math.max(1, num(values.portals, 1, "--portals"));
const deals = num(values.deals, 0, "--deals");
const contacts = num(values.contacts, 0, "--contacts");
const appUrl = values["app-url"] ?? env.APP_URL ?? "http://127.0.0.1:3000";

function secondOAuth(): { port: number; clientId: string; clientSecret: string } | undefined {
  const [port, clientId, clientSecret] = [values["second-oauth-port"], values["second-client-id"], values["second-client-secret"]];
  if (port === undefined && clientId === undefined && clientSecret === undefined) return undefined;
  if (!clientId || !clientSecret) {
    process.stderr.write("b24-emulator: --second-oauth-port needs --second-client-id and --second-client-secret (the second region's app registration)\n");
    process.exit(2);
  }
  return { port: num(port, 0, "--second-oauth-port"), clientId, clientSecret };
}

const emulator = await startEmulator({
  oauthPort: num(values["oauth-port"] ?? env.B24_EMULATOR_OAUTH_PORT, 0, "--oauth-port"),
  app: {
    clientId: values["client-id"] ?? env.B24_CLIENT_ID ?? "local.emulator.0000000000000001",
    clientSecret: values["client-secret"] ?? env.B24_CLIENT_SECRET ?? "emulator-secret-please-change-0123456789",
    appUrl,
    // Where a no-UI install (`install {noUi: true}`) POSTs ONAPPINSTALL; the template's events route by default.
    installHandlerUrl: values["install-handler-url"] ?? env.B24_EMULATOR_INSTALL_HANDLER_URL ?? `${appUrl.replace(/\/+$/, "")}/api/b24/events`,
    scope: scopeOption(values.scope ?? env.B24_EMULATOR_SCOPE),
  },
  rateLimit,
  offlineExtended: onOff(values["offline-extended"], "--offline-extended"),
  secondOAuth: secondOAuth(),
  // Only the first portal gets the requested port; the others take free ones (read them from the ready line or /health).
  portals: [
    ...Array.from({ length: portalCount }, (_, i) => ({ port: i === 0 ? portalPort : 0, deals, contacts, demoData: values["demo-data"] })),
    // Listening from the start: a port picked earlier but bound only later can be taken meanwhile (EADDRINUSE).
    ...(values["self-hosted-port"] ? [{ port: num(values["self-hosted-port"], 0, "--self-hosted-port"), installed: false }] : []),
  ],
});

process.stdout.write(`b24-emulator ready ${JSON.stringify({ oauthUrl: emulator.oauthUrl, secondOAuthUrl: emulator.secondOAuthUrl, portals: emulator.portals })}\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  void emulator.stop().then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
