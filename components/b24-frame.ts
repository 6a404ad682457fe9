/**
 * A tiny client for the portal's frame bridge (https://apidocs.bitrix24.com/sdk/bx24-js-sdk/index.html), instead of loading BX24.js from a CDN.
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

export type BridgeCommand = "setInstallFinish" | "getInitData" | "resizeWindow" | "setTitle" | "reloadWindow";

export interface Bridge {
  call(command: BridgeCommand, params?: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  /** For commands the portal never answers (reloadWindow): posted once, nothing awaited. */
  send(command: BridgeCommand, params?: Record<string, unknown>): void;
}

/** The bridge of this page when it runs inside the portal's frame under a well-formed name, else null. */
export function currentFrameBridge(portalOrigin: string | null): Bridge | null {
  if (typeof window === "undefined" || window.parent === window || !portalOrigin) return null;
  const name = readFrameName(window.name);
  return name ? frameBridge(portalOrigin, name.appSid) : null;
}

/**
 * `portalOrigin` comes from the server (the OAuth-server-vouched portal), not from window.name, so a page that
 * frames us under a fake name still cannot receive our messages; replies from any other origin are ignored.
 */
export function frameBridge(portalOrigin: string, appSid: string, target: Window = window.parent): Bridge {
  let seq = 0;
  const nextId = () => `cb${Date.now().toString(36)}${(seq++).toString(36)}`;
  return {
    send(command, params = {}) {
      target.postMessage(`${command}:${JSON.stringify(params)}:${nextId()}:${appSid}`, portalOrigin);
    },
    call(command, params = {}, timeoutMs = 10_000) {
      const callbackId = nextId();
      return new Promise((resolve, reject) => {
        const done = () => {
          window.removeEventListener("message", onMessage);
          clearTimeout(timer);
        };
        const onMessage = (ev: MessageEvent) => {
          if (ev.origin !== portalOrigin || ev.source !== target || typeof ev.data !== "string") return;
          if (!ev.data.startsWith(`${callbackId}:`)) return;
          done();
          const raw = ev.data.slice(callbackId.length + 1);
          try {
            resolve(raw ? JSON.parse(raw) : undefined);
          } catch {
            resolve(raw);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`Bitrix24 did not answer ${command} in ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
        window.addEventListener("message", onMessage);
        target.postMessage(`${command}:${JSON.stringify(params)}:${callbackId}:${appSid}`, portalOrigin);
      });
    },
  };
}
