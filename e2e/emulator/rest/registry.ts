import type { Params } from "../form";
import type { RestContext } from "./auth";

export interface MethodResult {
  result: unknown;
  total?: number;
  next?: number;
}

export interface MethodDef {
  name: string;
  /** Any one of these scopes grants the method; empty = global (`basic`) scope. */
  scope: string[];
  /** Suffix of the ACCESS_DENIED message for non-admins; undefined = open to every user. */
  admin?: string;
  /** `batch` itself is not counted by the operating limiter; its sub-calls are. */
  uncounted?: boolean;
  /**
   * Only an app's OAuth token may call it. The core refuses a webhook with AuthTypeException (403 WRONG_AUTH_TYPE, the
   * placement methods) or AccessException "Application context required" (403 ACCESS_DENIED, the option methods).
   */
  appOnly?: "WRONG_AUTH_TYPE" | "ACCESS_DENIED";
  run(ctx: RestContext, params: Params): MethodResult | Promise<MethodResult>;
}

/** Fixed page size of list methods. */
export const PAGE_SIZE = 50;

export const ok = (result: unknown): MethodResult => ({ result });

const registry = new Map<string, MethodDef>();

export function register(...defs: MethodDef[]): void {
  for (const d of defs) registry.set(d.name.toLowerCase(), d);
}

export function findMethod(name: string): MethodDef | undefined {
  return registry.get(name.toLowerCase());
}

export function allMethods(): MethodDef[] {
  return [...registry.values()];
}
