import type { B24ErrorCode } from "./errors";
import errors from "./i18n/messages/en/errors.json";

/**
 * The codes the `errors` namespace words (errors.<code>.title / errors.<code>.text): every B24ErrorCode, and the
 * browser's own `network` (components/b24-client.ts). A code without its messages does not compile. Pure: pages,
 * client components and route handlers share it.
 */
export type ErrorMessageCode = B24ErrorCode | "network";
const WORDED: Record<ErrorMessageCode, { title: string; text: string }> = errors;

export function isErrorMessageCode(code: unknown): code is ErrorMessageCode {
  return typeof code === "string" && Object.hasOwn(WORDED, code);
}

/** The code's messages, or `internal` for a code the catalogue does not know (a newer server, a typo). */
export function errorMessageCode(code: unknown): ErrorMessageCode {
  return isErrorMessageCode(code) ? code : "internal";
}

/**
 * The server's own (English) message for an error, worth showing beside the localised text only when it says more
 * than that text's English wording: null for the generic ones ("Something went wrong. Try again later.").
 */
export function errorDetail(code: unknown, message: string | null | undefined): string | null {
  const detail = message?.trim();
  return detail && detail !== WORDED[errorMessageCode(code)].text ? detail : null;
}
