import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "./log";
import { currentRequestId, outsideRequest, requestIdFrom, runWithRequestId, withRequestId } from "./request-context";

function captureStdout(): { lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  return { lines: () => chunks.join("").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), restore: () => spy.mockRestore() };
}

const HEX_ID = /^[0-9a-f]{16}$/;

describe("requestIdFrom", () => {
  it("keeps a well-formed incoming id (a load balancer's), 1 to 64 of [A-Za-z0-9._-]", () => {
    for (const id of ["test-abc-123", "a", "A.b_c-9", "x".repeat(64), "0f8c1d2e-aaaa-4bbb-8ccc-123456789abc"]) expect(requestIdFrom(id)).toBe(id);
  });

  it("replaces a missing or malformed one with a fresh random id, never echoing it", () => {
    const bad = [null, undefined, "", "x".repeat(65), "has space", "new\nline", 'quote"', "semi;colon", "ünï", "a/b", "<script>"];
    const ids = bad.map((b) => requestIdFrom(b));
    for (const id of ids) expect(id).toMatch(HEX_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("withRequestId", () => {
  afterEach(() => {
    delete process.env.LOG_LEVEL;
  });

  it("runs the handler inside the request's context and answers the id in X-Request-Id; the ctx argument passes through", async () => {
    const seen: Array<string | undefined> = [];
    const handler = withRequestId(async (_req: Request, ctx: { params: Promise<{ m: string }> }) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(currentRequestId(), (await ctx.params).m);
      return Response.json({ ok: true });
    });
    const res = await handler(new Request("http://127.0.0.1/api/x", { headers: { "x-request-id": "test-abc-123" } }), { params: Promise.resolve({ m: "profile" }) });
    expect(res.headers.get("x-request-id")).toBe("test-abc-123");
    expect(seen).toEqual(["test-abc-123", "profile"]);
    expect(currentRequestId()).toBeUndefined();
  });

  it("a malformed incoming id is replaced, and the replacement is what the answer names", async () => {
    let inside: string | undefined;
    const handler = withRequestId(() => ((inside = currentRequestId()), new Response("ok")));
    const res = await handler(new Request("http://127.0.0.1/", { headers: { "x-request-id": "bad id with spaces" } }));
    expect(inside).toMatch(HEX_ID);
    expect(res.headers.get("x-request-id")).toBe(inside);
  });

  it("an answer with immutable headers (Response.redirect) is copied to carry the id, status and Location kept", async () => {
    const handler = withRequestId(() => Response.redirect("https://portal.example/oauth/authorize/", 302));
    const res = await handler(new Request("http://127.0.0.1/", { headers: { "x-request-id": "r-1" } }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://portal.example/oauth/authorize/");
    expect(res.headers.get("x-request-id")).toBe("r-1");
  });

  it("concurrent requests keep their own ids across awaits", async () => {
    const handler = withRequestId(async (req: Request) => {
      await new Promise((r) => setTimeout(r, Number(new URL(req.url).searchParams.get("ms"))));
      return new Response(currentRequestId());
    });
    const [a, b] = await Promise.all([
      handler(new Request("http://127.0.0.1/?ms=20", { headers: { "x-request-id": "slow" } })),
      handler(new Request("http://127.0.0.1/?ms=1", { headers: { "x-request-id": "fast" } })),
    ]);
    expect([await a.text(), await b.text()]).toEqual(["slow", "fast"]);
  });
});

describe("outsideRequest", () => {
  it("runs shared background work a request started without that request's id, across awaits", async () => {
    const seen = await runWithRequestId("r-1", () =>
      outsideRequest(async () => {
        await new Promise((r) => setTimeout(r, 1));
        return currentRequestId();
      }),
    );
    expect(seen).toBeUndefined();
    expect(runWithRequestId("r-2", () => currentRequestId())).toBe("r-2");
  });
});

describe("log lines and the request context", () => {
  it("a line written while a request is handled carries its requestId; an outgoing call's own id stays in b24RequestId", () => {
    process.env.LOG_LEVEL = "debug";
    const out = captureStdout();
    try {
      log.info("outside");
      runWithRequestId("test-abc-123", () => {
        log.info("inside", { memberId: "m1" });
        log.debug("b24.http", { b24RequestId: "0011223344556677-1", status: 200 });
      });
    } finally {
      out.restore();
      delete process.env.LOG_LEVEL;
    }
    const [outside, inside, http] = out.lines();
    expect(outside).not.toHaveProperty("requestId");
    expect(inside).toMatchObject({ event: "inside", requestId: "test-abc-123", memberId: "m1" });
    expect(http).toMatchObject({ event: "b24.http", requestId: "test-abc-123", b24RequestId: "0011223344556677-1" });
  });
});
