import net from "node:net";

/**
 * Unit and integration tests may talk to this machine only (the emulator, PostgreSQL, Redis). Anything else is a
 * bug in the test or the code under test, so it fails loudly instead of silently reaching the internet.
 */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

function assertLoopback(host: unknown): void {
  const h = typeof host === "string" && host !== "" ? host : "localhost";
  if (!LOOPBACK.test(h)) throw new Error(`Unexpected network use in a test: connection to ${h}`);
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  if (first && typeof first === "object" && !Array.isArray(first)) {
    const opts = first as { host?: string; path?: string };
    if (!opts.path) assertLoopback(opts.host);
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    assertLoopback(args[1]);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

const originalFetch = globalThis.fetch;
globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  assertLoopback(url.hostname);
  return originalFetch(input, init);
};
