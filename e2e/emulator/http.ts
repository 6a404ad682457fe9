import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorState } from "./state";
import type { FaultKind, FaultSpec } from "./types";

export interface Incoming {
  method: string;
  url: URL;
  /** Path with repeated slashes merged, as nginx in front of real portals does. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  bodyText: string;
  contentType: string;
  host: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Handler = (req: Incoming) => Promise<Reply>;

const MAX_BODY = 10 * 1024 * 1024;
const CONTROL_PREFIX = "/__emulator/";

export function json(status: number, data: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(data),
  };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "text/html; charset=utf-8", ...headers }, body };
}

export function redirect(location: string): Reply {
  return { status: 302, headers: { location, "content-type": "text/html; charset=utf-8" }, body: "Moved" };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function takeFault(state: EmulatorState, path: string, host: string): (FaultSpec & { remaining: number }) | null {
  for (const f of state.faults) {
    if (f.remaining <= 0) continue;
    if (f.host && f.host !== host) continue;
    const hit = f.path.endsWith("*") ? path.startsWith(f.path.slice(0, -1)) : path === f.path;
    if (!hit) continue;
    f.remaining--;
    state.faults = state.faults.filter((x) => x.remaining > 0);
    return f;
  }
  return null;
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(reply.body ?? "");
}

function faultReply(f: FaultSpec): Reply {
  const status = f.status ?? 500;
  const extra = f.headers ?? {};
  if (typeof f.body === "string") return { status, headers: { "content-type": "text/plain", ...extra }, body: f.body };
  return json(status, f.body ?? { error: "INTERNAL_SERVER_ERROR", error_description: "Internal server error" }, extra);
}

/**
 * Every emulator server goes through here so faults, latency and the request log behave the same on the OAuth
 * server and on each portal. Control requests (`/__emulator/`) bypass all three.
 */
export function createEmulatorServer(state: EmulatorState, server: "oauth" | "portal", handler: Handler): Server {
  const srv = createServer((req, res) => {
    void (async () => {
      const startedReal = Date.now();
      const time = state.clock.nowMs();
      const body = await readBody(req);
      const addr = req.socket.localAddress && req.socket.localPort ? `127.0.0.1:${req.socket.localPort}` : "";
      const host = addr || (req.headers.host ?? "");
      // Concatenated, not resolved: a request path starting with "//" would otherwise be read as a host.
      const url = new URL(`http://${host}${req.url ?? "/"}`);
      const path = url.pathname.replace(/\/{2,}/g, "/");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      const incoming: Incoming = {
        method: req.method ?? "GET",
        url,
        path,
        query: Object.fromEntries(url.searchParams),
        headers,
        bodyText: body ?? "",
        contentType: (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "",
        host,
      };
      const isControl = path.startsWith(CONTROL_PREFIX);
      const record = (status: number, fault?: FaultKind): void => {
        if (isControl) return;
        state.log.add({
          server,
          host,
          method: incoming.method,
          path,
          query: incoming.query,
          body: incoming.bodyText,
          headers,
          status,
          time,
          durationMs: Date.now() - startedReal,
          ...(fault ? { fault } : {}),
        });
      };
      if (body === null) {
        write(res, json(413, { error: "INVALID_REQUEST", error_description: "Request body too large" }));
        record(413);
        return;
      }
      const fault = isControl ? null : takeFault(state, path, host);
      if (!isControl && state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
      if (fault?.kind === "hang") return record(0, "hang");
      if (fault?.kind === "reset") {
        record(0, "reset");
        req.socket.resetAndDestroy();
        return;
      }
      if (fault?.kind === "status") {
        const reply = faultReply(fault);
        record(reply.status, "status");
        return write(res, reply);
      }
      let reply: Reply;
      try {
        reply = await handler(incoming);
      } catch (err) {
        reply = json(500, { error: "INTERNAL_SERVER_ERROR", error_description: String((err as Error).message ?? err) });
      }
      if (fault?.kind === "drop-after-success") {
        record(reply.status, "drop-after-success");
        req.socket.resetAndDestroy();
        return;
      }
      record(reply.status);
      write(res, reply);
    })();
  });
  // A web server's usual idle keep-alive (nginx-like), advertised as `Keep-Alive: timeout=65`. Clients close an idle
  // connection a little before the advertised timeout (undici: 2 s earlier), so a 1-2 s value here would make every
  // client open a new connection per request. close() still ends open connections at once.
  srv.keepAliveTimeout = 65_000;
  return srv;
}

export function listen(srv: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(port, "127.0.0.1", () => {
      srv.off("error", reject);
      resolve((srv.address() as AddressInfo).port);
    });
  });
}

export function close(srv: Server): Promise<void> {
  return new Promise((resolve) => {
    srv.closeAllConnections();
    srv.close(() => resolve());
  });
}
