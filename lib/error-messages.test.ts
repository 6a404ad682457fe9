import { describe, expect, it } from "vitest";
import { errorDetail, errorMessageCode, isErrorMessageCode } from "./error-messages";

describe("error messages", () => {
  it("knows every code the catalogue words, and sends any other to internal", () => {
    expect(isErrorMessageCode("needs_reauth")).toBe(true);
    expect(isErrorMessageCode("network")).toBe(true);
    expect(isErrorMessageCode("toString")).toBe(false);
    expect(errorMessageCode("no_such_code")).toBe("internal");
    expect(errorMessageCode(undefined)).toBe("internal");
  });

  it("keeps the server's words only when they say more than the code's English text", () => {
    expect(errorDetail("internal", "Something went wrong. Try again later.")).toBeNull();
    expect(errorDetail("made_up", "Something went wrong. Try again later.")).toBeNull();
    expect(errorDetail("forbidden", " ")).toBeNull();
    expect(errorDetail("forbidden", "Access denied")).toBe("Access denied");
  });
});
