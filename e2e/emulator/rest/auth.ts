import type { Params } from "../form";
import type { EmulatorState, PortalState } from "../state";
import type { TokenPair } from "../tokens";
import type { SeedUser } from "../types";
import { ERR } from "./envelope";
import { str } from "./params";

export interface RestContext {
  state: EmulatorState;
  portal: PortalState;
  user: SeedUser;
  pair: TokenPair;
  scope: Set<string>;
  startMs: number;
  /** Core `auth_type`: `oauth` for app tokens; `apauth` would be a webhook, which the emulator never authenticates. */
  authType: "oauth" | "apauth";
  /**
   * The request's top-level `auth_connector` ("" when none), read like `auth` (core OAuth\Auth): it partitions the
   * offline queue, and the events this request causes are not queued back to that connector. The context object
   * is also the event origin (state.ts EventOrigin). Optional so hand-built contexts need not name it.
   */
  connector?: string;
}

export function connectorOf(ctx: RestContext): string {
  return ctx.connector ?? "";
}

/** Token in `auth` or `access_token` (query or body) or `Authorization: Bearer`; removed from the params. */
export function takeToken(params: Params, headers: Record<string, string>): string | null {
  let token: string | null = null;
  for (const key of ["auth", "access_token"]) {
    const v = str(params[key]);
    if (v && !token) token = v;
    delete params[key];
  }
  if (!token) {
    const m = /^Bearer\s+(\S+)$/i.exec(headers["authorization"] ?? "");
    if (m?.[1]) token = m[1];
  }
  return token;
}

/** `auth_connector`, removed from the params like the token. */
export function takeConnector(params: Params): string {
  const v = str(params.auth_connector) ?? "";
  delete params.auth_connector;
  return v;
}

/**
 * A portal only knows its own tokens, so a token of another portal is as unknown as garbage (`invalid_token`).
 * `portal` is null on the OAuth server, which knows every portal's tokens.
 */
export function authenticate(
  state: EmulatorState,
  portal: PortalState | null,
  token: string | null,
  startMs: number,
  connector = "",
): RestContext {
  if (!token) throw ERR.noAuth();
  const check = state.tokens.checkAccess(token);
  if (!check.ok) throw check.error === "expired_token" ? ERR.expiredToken() : ERR.invalidToken();
  const pair = check.pair;
  if (portal && pair.memberId !== portal.memberId) throw ERR.invalidToken();
  const owner = portal ?? state.portals.get(pair.memberId);
  if (!owner || !owner.installed) throw ERR.invalidToken();
  const user = owner.users.find((u) => u.id === pair.userId);
  if (!user) throw ERR.invalidToken();
  return { state, portal: owner, user, pair, scope: new Set(state.app.scope), startMs, authType: "oauth", connector };
}
