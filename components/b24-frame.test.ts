import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { currentFrameBridge, frameBridge, FrameError, readFrameName, requireFrameBridge } from "./b24-frame";

/**
 * The page side of the frame bridge, with a stand-in window: what is posted (wire format, target origin), which
 * replies count (origin, source, callback id), timeouts, and the clear error when the page is not framed.
 */
const PORTAL = "https://acme.bitrix24.com";
type Posted = { data: string; origin: string };

let posted: Posted[];
let parent: { postMessage: (data: string, origin: string) => void };
let win: EventTarget & { parent: unknown; name: string };

beforeEach(() => {
  posted = [];
  parent = { postMessage: (data, origin) => posted.push({ data, origin }) };
  win = Object.assign(new EventTarget(), { parent: parent as unknown, name: "acme.bitrix24.com|1|abc123" });
  vi.stubGlobal("window", win);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function reply(data: string, over: { origin?: string; source?: unknown } = {}) {
  win.dispatchEvent(Object.assign(new Event("message"), { data, origin: over.origin ?? PORTAL, source: over.source ?? parent }));
}

const callbackOf = (p: Posted) => p.data.split(":").at(-2)!;

describe("frameBridge", () => {
  it("posts command:json:callback:APP_SID to the portal's origin only and resolves with the parsed reply", async () => {
    const bridge = frameBridge(PORTAL, "abc123", parent as unknown as Window);
    const pending = bridge.call("resizeWindow", { width: "100%", height: 420 });
    expect(posted).toHaveLength(1);
    expect(posted[0]!.origin).toBe(PORTAL);
    expect(posted[0]!.data).toMatch(/^resizeWindow:\{"width":"100%","height":420\}:cb[a-z0-9]+:abc123$/);
    reply(`${callbackOf(posted[0]!)}:{"width":1240,"height":420}`);
    await expect(pending).resolves.toEqual({ width: 1240, height: 420 });
  });

  it("ignores answers from another origin, another window or another callback, then times out with FrameError", async () => {
    vi.useFakeTimers();
    const bridge = frameBridge(PORTAL, "abc123", parent as unknown as Window);
    const pending = bridge.call("setTitle", { title: "x" });
    const id = callbackOf(posted[0]!);
    reply(`${id}:{"forged":1}`, { origin: "https://evil.example" });
    reply(`${id}:{"forged":2}`, { source: {} });
    reply(`cbother:{"forged":3}`);
    const outcome = pending.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(FrameError);
    expect(err).toMatchObject({ code: "timeout", message: "Bitrix24 did not answer setTitle in 10 s." });
  });

  it("waits for a person in dialogs and sliders (no timeout) and sends selectUsers as selectUser with mult:true", async () => {
    vi.useFakeTimers();
    const bridge = frameBridge(PORTAL, "abc123", parent as unknown as Window);
    let settled = false;
    const pending = bridge.call("selectUsers", { title: "Pick" }).then((r) => ((settled = true), r));
    expect(posted[0]!.data).toMatch(/^selectUser:\{"title":"Pick","mult":true\}:/);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(settled).toBe(false);
    reply(`${callbackOf(posted[0]!)}:[{"id":"2","name":"Maria Ivanova"}]`);
    await expect(pending).resolves.toEqual([{ id: "2", name: "Maria Ivanova" }]);
  });

  it("send posts once and awaits nothing (commands Bitrix24 never answers)", () => {
    frameBridge(PORTAL, "abc123", parent as unknown as Window).send("setInstallFinish");
    expect(posted.map((p) => p.data.split(":")[0])).toEqual(["setInstallFinish"]);
  });
});

describe("finding the frame", () => {
  it("gives a bridge only inside a frame with a well-formed name and a server-given portal origin", () => {
    expect(currentFrameBridge(PORTAL)).not.toBeNull();
    expect(currentFrameBridge(null)).toBeNull();
    win.name = "not-a-frame-name";
    expect(currentFrameBridge(PORTAL)).toBeNull();
  });

  it("says what is wrong when the page is not inside Bitrix24", () => {
    win.parent = win;
    expect(() => requireFrameBridge(PORTAL)).toThrow(expect.objectContaining({ code: "not_framed", message: expect.stringContaining("open the app from your Bitrix24") }));
  });

  it.each(["a|1", "a|2|sid", "a|1|bad sid", "a|1|sid|extra", "|1|sid"])("refuses the window name %j", (name) => {
    expect(readFrameName(name)).toBeNull();
  });
});
