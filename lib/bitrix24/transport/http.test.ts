import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { useLoopbackEnv } from "@/test/loopback-env";
import { b24Fetch, MAX_RESPONSE_BYTES } from "./http";

useLoopbackEnv();

/** The one HTTP client, against a local server: what it sends, what it refuses to do, and how it fails. */
let server: Server | undefined;
let connections = 0;
const seen: Array<{ method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }> = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  connections = 0;
  seen.length = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

describe("b24Fetch", () => {
  it("sends JSON or a form in the body, parses the answer and exposes its headers", async () => {
    const base = await serve((_req, res) => json(res, 200, { result: { ok: true } }, { "retry-after": "7" }));
    const a = await b24Fetch(`${base}/rest/user.current`, { method: "POST", json: { auth: "tok", n: 1 } });
    expect(a).toMatchObject({ status: 200, body: { result: { ok: true } } });
    expect(a.headers.get("retry-after")).toBe("7");
    await b24Fetch(`${base}/oauth/token/`, { method: "POST", form: { grant_type: "refresh_token", refresh_token: "r" } });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/rest/user.current", body: '{"auth":"tok","n":1}' });
    expect(seen[0]!.headers).toMatchObject({ "content-type": "application/json", "content-length": "20", accept: "application/json" });
    expect(seen[1]).toMatchObject({ url: "/oauth/token/", body: "grant_type=refresh_token&refresh_token=r" });
    expect(seen[1]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("keeps the connection alive between calls", async () => {
    const base = await serve((_req, res) => json(res, 200, { result: 1 }));
    for (let i = 0; i < 5; i++) await b24Fetch(`${base}/rest/x`, { method: "POST", json: {} });
    expect(seen).toHaveLength(5);
    expect(connections).toBe(1);
  });

  it("never follows a redirect: the 302 is returned and its Location is not requested [#22]", async () => {
    const base = await serve((req, res) => {
      if (req.url === "/elsewhere") return json(res, 200, { stolen: true });
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const r = await b24Fetch(`${base}/rest/user.current`, { method: "POST", json: { auth: "tok" } });
    expect(r.status).toBe(302);
    expect(seen.map((s) => s.url)).toEqual(["/rest/user.current"]);
  });

  it("a body that is not JSON is undefined, not an exception", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    expect(await b24Fetch(`${base}/rest/x`, { method: "POST", json: {} })).toMatchObject({ status: 502, body: undefined });
  });

  it("a server that never answers costs the timeout, then upstream_unavailable", async () => {
    const base = await serve(() => {});
    const started = performance.now();
    await expect(b24Fetch(`${base}/rest/x`, { method: "POST", json: {}, timeoutMs: 200 })).rejects.toMatchObject({
      code: "upstream_unavailable",
      message: "Bitrix24 did not answer in time.",
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("an answer over the size limit is refused, not buffered", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, 97);
      let sent = 0;
      const more = () => {
        while (sent <= MAX_RESPONSE_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      res.on("error", () => {});
      more();
    });
    await expect(b24Fetch(`${base}/rest/x`, { method: "POST", json: {} })).rejects.toMatchObject({ code: "upstream_unavailable", message: "Could not reach Bitrix24." });
  });

  it("a refused connection is upstream_unavailable", async () => {
    const base = await serve(() => {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(b24Fetch(`${base}/rest/x`, { method: "POST", json: {} })).rejects.toMatchObject({ code: "upstream_unavailable", message: "Could not reach Bitrix24." });
  });
});
