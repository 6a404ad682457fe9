import { describe, expect, it } from "vitest";
import { loadProtocol } from "../frames/protocol";

/** The parent's message rules (extensions reference §2.1, §2.2, §1.5), exactly the JS the portal pages run. */
const p = loadProtocol();

describe("message parsing (§2.1)", () => {
  it("reads BX24.js's form with an empty params slot and b24jssdk's form without it", () => {
    expect(p.parseMessage("getInitData::cb1:sid1")).toEqual({ cmd: "getInitData", params: {}, cb: "cb1", sid: "sid1" });
    expect(p.parseMessage("getInitData:cb1:sid1")).toEqual({ cmd: "getInitData", params: {}, cb: "cb1", sid: "sid1" });
    expect(p.parseMessage("reloadWindow:::sid1")).toEqual({ cmd: "reloadWindow", params: {}, cb: "", sid: "sid1" });
  });

  it("rejoins JSON that contains ':' and keeps a raw value that is not JSON", () => {
    expect(p.parseMessage('setTitle:{"title":"a:b:c"}:cb2:sid')).toEqual({ cmd: "setTitle", params: { title: "a:b:c" }, cb: "cb2", sid: "sid" });
    expect(p.parseMessage("setValue:plain:cb3:sid")).toMatchObject({ params: "plain", cb: "cb3" });
  });

  it("accepts the object form and ignores anything else", () => {
    expect(p.parseMessage({ method: "custom:cmd", params: { a: 1 }, callback: "k", appSid: "s", requestId: "r" })).toEqual({ cmd: "custom:cmd", params: { a: 1 }, cb: "k", sid: "s" });
    expect(p.parseMessage({ method: "getInitData", params: "", callback: "k", appSid: "s" })).toEqual({ cmd: "getInitData", params: {}, cb: "k", sid: "s" });
    for (const junk of [null, 42, "", "nocolon", { foo: 1 }]) expect(p.parseMessage(junk)).toBeNull();
  });

  it("replies '<cb>:<json>' and '<cb>:' for an undefined result", () => {
    expect(p.replyText("cb", { a: 1 })).toBe('cb:{"a":1}');
    expect(p.replyText("cb", undefined)).toBe("cb:");
  });
});

describe("per-context commands (§1.5)", () => {
  it("placements lose setTitle, setScroll and reloadWindow; sliders lose resizeWindow", () => {
    for (const cmd of ["setTitle", "setScroll", "reloadWindow"]) {
      expect(p.denial("placement", "CRM_DEAL_DETAIL_TAB", cmd)).toBe("context");
      expect(p.denial("app", "DEFAULT", cmd)).toBeNull();
      expect(p.denial("slider", "DEFAULT", cmd)).toBeNull();
    }
    expect(p.denial("slider", "DEFAULT", "resizeWindow")).toBe("context");
    expect(p.denial("placement", "CRM_DEAL_DETAIL_TAB", "resizeWindow")).toBeNull();
  });

  it("every default command is known everywhere; placement commands only in their placement", () => {
    const all = ["getInitData", "getInterface", "refreshAuth", "setUserOption", "setAppOption", "setInstall", "setInstallFinish", "selectUser",
      "selectAccess", "selectCRM", "imCallTo", "imPhoneTo", "imOpenMessenger", "imOpenHistory", "openApplication", "openPath", "closeApplication"];
    for (const cmd of all) for (const kind of ["app", "placement", "slider"]) expect(p.denial(kind, kind === "placement" ? "CRM_DEAL_DETAIL_TAB" : "DEFAULT", cmd)).toBeNull();
    expect(p.denial("placement", "CRM_DEAL_DETAIL_TAB", "reloadData")).toBeNull();
    expect(p.denial("placement", "CRM_DEAL_DETAIL_TAB", "placementBindEvent")).toBeNull();
    expect(p.denial("app", "DEFAULT", "reloadData")).toBe("unknown");
    expect(p.denial("app", "DEFAULT", "placementBindEvent")).toBe("unknown");
    expect(p.denial("placement", "CRM_DEAL_DETAIL_TAB", "setValue")).toBe("unknown");
    expect(p.denial("placement", "USERFIELD_TYPE", "setValue")).toBeNull();
    expect(p.denial("app", "DEFAULT", "placement.call")).toBe("unknown");
  });

  it("getInterface lists only the placement's own commands and events", () => {
    expect(p.placementInterface("CRM_DEAL_DETAIL_TAB")).toEqual({ command: ["reloadData"], event: [] });
    expect(p.placementInterface("CRM_DYNAMIC_183_DETAIL_TAB")).toEqual({ command: ["reloadData"], event: [] });
    expect(p.placementInterface("DEFAULT")).toEqual({ command: [], event: [] });
  });
});

describe("resizeWindow sizes and openPath paths (§2.2)", () => {
  it("keeps 100%, takes numbers as px, turns other non-numeric widths into 100 px", () => {
    expect(p.cssSize("100%")).toBe("100%");
    expect(p.cssSize(640)).toBe("640px");
    expect(p.cssSize("333")).toBe("333px");
    expect(p.cssSize("auto")).toBe("100px");
    expect(p.cssSize(undefined)).toBeNull();
  });

  it("opens only the documented portal paths", () => {
    for (const ok of ["/crm/deal/details/5/", "/crm/type/0/details/0/../../../../../crm/deal/details/5/?IFRAME=Y", "/marketplace/", "/company/personal/user/1/", "/workgroups/group/7/"]) {
      expect(p.OPEN_PATH_RE.test(ok), ok).toBe(true);
    }
    for (const bad of ["/crm/invoice/1/", "https://evil.example/crm/deal/", "/company/personal/user/x/", "crm/deal/1/"]) expect(p.OPEN_PATH_RE.test(bad), bad).toBe(false);
  });
});
