/**
 * The portal's frame bridge (https://apidocs.bitrix24.com/sdk/bx24-js-sdk/index.html), typed, instead of BX24.js or
 * @bitrix24/b24jssdk's frame client: both start with `getInitData`, whose answer holds the user's AUTH_ID and
 * REFRESH_ID, and this template keeps every token out of page JavaScript (the server verified the frame POST and
 * holds the tokens). So `getInitData` and `refreshAuth` are not commands here; everything else is.
 * Child → parent: "command:jsonParams:callbackId:APP_SID" posted to the portal's origin only; the parent answers
 * "callbackId:jsonResult". The iframe's window.name is "DOMAIN|PROTOCOL|APP_SID" (set by the portal).
 */
export interface FrameName {
  domain: string;
  protocol: "0" | "1";
  appSid: string;
}

export function readFrameName(name: string): FrameName | null {
  const [domain, protocol, appSid, ...rest] = name.split("|");
  if (rest.length || !domain || (protocol !== "0" && protocol !== "1") || !appSid || !/^[A-Za-z0-9]{1,64}$/.test(appSid)) return null;
  return { domain, protocol, appSid };
}

export interface SelectedUser {
  id: string;
  name: string;
  photo?: string;
  position?: string;
  url?: string;
  sub?: boolean;
  sup?: boolean;
}

export type CrmEntityType = "lead" | "contact" | "company" | "deal" | "quote";
export interface CrmPick {
  id: string;
  type: string;
  title: string;
  desc?: string;
  url?: string;
  image?: string;
}

/** Commands the portal answers, with their params and replies (extensions reference §2.2). */
export interface FrameCalls {
  resizeWindow: { params: { width: number | "100%"; height: number }; result: { width: number; height: number } };
  setTitle: { params: { title: string }; result: unknown };
  setScroll: { params: { scroll: number }; result: unknown };
  openPath: { params: { path: string }; result: { result: "close" } | { result: "error"; errorCode: string } };
  /** Opens the app's DEFAULT page in a slider; resolves when the slider closes. `bx24_*` keys style the slider. */
  openApplication: { params: Record<string, string | number> & { bx24_width?: number; bx24_title?: string }; result: unknown };
  closeApplication: { params: Record<string, never>; result: unknown };
  selectUser: { params: { title?: string; mult: false }; result: SelectedUser };
  selectUsers: { params: { title?: string }; result: SelectedUser[] };
  selectAccess: { params: { value?: string[] }; result: Array<{ id: string; name: string }> };
  selectCRM: {
    params: { entityType: CrmEntityType[]; multiple?: boolean; value?: Partial<Record<CrmEntityType, number[]>> };
    result: Partial<Record<CrmEntityType, Record<string, CrmPick>>>;
  };
  setUserOption: { params: { name: string; value: string }; result: unknown };
  /** Administrators only: the portal never answers anyone else. */
  setAppOption: { params: { name: string; value: string }; result: Record<string, unknown> };
  getInterface: { params: Record<string, never>; result: { command: string[]; event: string[] } };
}

/**
 * Posted once, nothing awaited: commands the portal never answers (the page reloads, or nothing is returned), the
 * resize (denied without an answer in a slider), and `reloadData`, a CRM tab asking its card to show fresh data.
 */
export type FrameSignal = "setInstallFinish" | "reloadWindow" | "resizeWindow" | "reloadData" | "imCallTo" | "imPhoneTo" | "imOpenMessenger" | "imOpenHistory";

export type FrameErrorCode = "not_framed" | "timeout";

export class FrameError extends Error {
  constructor(readonly code: FrameErrorCode, message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** Dialogs and sliders wait for a person; everything else is answered at once or never (a denied command). */
const WAITS_FOR_PERSON = new Set<keyof FrameCalls>(["openPath", "openApplication", "selectUser", "selectUsers", "selectAccess", "selectCRM"]);
const DEFAULT_TIMEOUT_MS = 10_000;

export interface Bridge {
  /** Resolves with the portal's reply; rejects with FrameError "timeout" (a denied command is never answered). */
  call<C extends keyof FrameCalls>(command: C, params?: FrameCalls[C]["params"], opts?: { timeoutMs?: number }): Promise<FrameCalls[C]["result"]>;
  send(command: FrameSignal, params?: Record<string, unknown>): void;
}

/** The bridge of this page when it runs inside the portal's frame under a well-formed name, else null. */
export function currentFrameBridge(portalOrigin: string | null): Bridge | null {
  if (typeof window === "undefined" || window.parent === window || !portalOrigin) return null;
  const name = readFrameName(window.name);
  return name ? frameBridge(portalOrigin, name.appSid) : null;
}

/** Like currentFrameBridge, but says what is wrong instead of returning null. */
export function requireFrameBridge(portalOrigin: string | null): Bridge {
  const bridge = currentFrameBridge(portalOrigin);
  if (!bridge) throw new FrameError("not_framed", "This works only inside Bitrix24: open the app from your Bitrix24 portal.");
  return bridge;
}

function wire(command: string, params: unknown): [string, unknown] {
  // selectUsers is selectUser with mult:true on the wire.
  return command === "selectUsers" ? ["selectUser", { ...(params as object), mult: true }] : [command, params];
}

/**
 * `portalOrigin` comes from the server (the OAuth-server-vouched portal), not from window.name, so a page that
 * frames us under a fake name still cannot receive our messages; replies from any other origin are ignored.
 */
export function frameBridge(portalOrigin: string, appSid: string, target: Window = window.parent): Bridge {
  let seq = 0;
  const nextId = () => `cb${Date.now().toString(36)}${(seq++).toString(36)}`;
  const post = (command: string, params: unknown, callbackId: string) => {
    const [cmd, p] = wire(command, params);
    target.postMessage(`${cmd}:${JSON.stringify(p ?? {})}:${callbackId}:${appSid}`, portalOrigin);
  };
  return {
    send(command, params = {}) {
      post(command, params, nextId());
    },
    call(command, params, opts = {}) {
      const callbackId = nextId();
      const timeoutMs = opts.timeoutMs ?? (WAITS_FOR_PERSON.has(command) ? 0 : DEFAULT_TIMEOUT_MS);
      return new Promise((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = () => {
          window.removeEventListener("message", onMessage);
          if (timer) clearTimeout(timer);
        };
        const onMessage = (ev: MessageEvent) => {
          if (ev.origin !== portalOrigin || ev.source !== target || typeof ev.data !== "string") return;
          if (!ev.data.startsWith(`${callbackId}:`)) return;
          done();
          const raw = ev.data.slice(callbackId.length + 1);
          try {
            resolve(raw ? JSON.parse(raw) : undefined);
          } catch {
            resolve(raw as never);
          }
        };
        if (timeoutMs > 0) {
          timer = setTimeout(() => {
            done();
            reject(new FrameError("timeout", `Bitrix24 did not answer ${command} in ${Math.round(timeoutMs / 1000)} s.`));
          }, timeoutMs);
        }
        window.addEventListener("message", onMessage);
        post(command, params ?? {}, callbackId);
      });
    },
  };
}
