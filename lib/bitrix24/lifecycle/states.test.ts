import { describe, expect, it } from "vitest";
import { isB24Error } from "@/lib/errors";
import { PAIR_STATUSES, pairAfter, PORTAL_STATUSES, portalAfter, portalGate, portalStatusAfter, portalStatusOf, type PairEvent, type PortalEvent } from "./states";

/** The README's state table, cell by cell: "x" = does not apply, "!u" = refused as uninstalled, "!n" = not set up. */
const PORTAL_EXPECTED: Record<PortalEvent, [none: string, active: string, blocked: string, uninstalled: string]> = {
  payment_required: ["x", "blocked", "blocked", "uninstalled"],
  portal_refused: ["x", "blocked", "blocked", "uninstalled"],
  sign_in: ["active", "active", "active", "!u"],
  frame_open: ["!n", "active", "active", "!u"],
  install: ["active", "active", "active", "active"],
  payment_confirmed: ["x", "active", "active", "uninstalled"],
  uninstall: ["x", "uninstalled", "uninstalled", "uninstalled"],
};

const PAIR_EXPECTED: Record<PairEvent, [none: string, active: string, needsReauth: string]> = {
  issued: ["active", "active", "active"],
  refreshed: ["active", "active", "active"],
  refresh_refused: ["needs_reauth", "needs_reauth", "needs_reauth"],
};

function cell(from: (typeof PORTAL_STATUSES)[number] | null, event: PortalEvent): string {
  const out = portalAfter(from, event);
  if (!out) return "x";
  return "refuse" in out ? (out.refuse === "uninstalled" ? "!u" : "!n") : out.status;
}

describe("portal state machine", () => {
  const froms = [null, ...PORTAL_STATUSES] as const;
  for (const [event, expected] of Object.entries(PORTAL_EXPECTED) as Array<[PortalEvent, string[]]>) {
    it.each(froms.map((f, i) => [f ?? "none", expected[i]!, f] as const))(`%s --${event}--> %s`, (_label, want, from) => {
      expect(cell(from, event)).toBe(want);
    });
  }

  it("leaves uninstalled only through a verified install", () => {
    const exits = (Object.keys(PORTAL_EXPECTED) as PortalEvent[]).filter((e) => cell("uninstalled", e) === "active");
    expect(exits).toEqual(["install"]);
  });

  it("leaves blocked only on Bitrix24's word that the portal works again, or an uninstall", () => {
    const exits = (Object.keys(PORTAL_EXPECTED) as PortalEvent[]).filter((e) => cell("blocked", e) !== "blocked");
    expect(exits.sort()).toEqual(["frame_open", "install", "payment_confirmed", "sign_in", "uninstall"]);
  });

  it("throws the refusal a person sees, and reads legacy portal statuses as active", () => {
    const refused = (() => {
      try {
        portalStatusAfter("uninstalled", "sign_in");
      } catch (err) {
        return err;
      }
    })();
    expect(isB24Error(refused) && refused.code).toBe("portal_uninstalled");
    expect(() => portalStatusAfter(null, "frame_open")).toThrow(/not set up/);
    expect(portalStatusOf("needs_reauth")).toBe("active");
    expect(portalStatusAfter("needs_reauth", "sign_in")).toBe("active");
  });

  it("gates calls for blocked and uninstalled portals only", () => {
    expect(portalGate("active")).toBeNull();
    expect(portalGate("needs_reauth")).toBeNull();
    expect(portalGate("blocked")?.code).toBe("portal_blocked");
    expect(portalGate("uninstalled")?.code).toBe("portal_uninstalled");
  });
});

describe("token pair state machine", () => {
  const froms = [null, ...PAIR_STATUSES] as const;
  for (const [event, expected] of Object.entries(PAIR_EXPECTED) as Array<[PairEvent, string[]]>) {
    it.each(froms.map((f, i) => [f ?? "none", expected[i]!, f] as const))(`%s --${event}--> %s`, (_label, want, from) => {
      expect(pairAfter(from, event)).toBe(want);
    });
  }
});
