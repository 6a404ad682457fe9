import type { RestContext } from "../auth";
import { ERR } from "../envelope";
import { str } from "../params";
import { ok, register } from "../registry";

type P = Record<string, unknown>;

/**
 * app.option.* and user.option.* as CRestProvider implements them: `set` takes `options: {…}` or, without that
 * key, the parameters themselves as the options; an empty set is ERROR_ARGUMENT `options`; `get` reads exactly the
 * lower-case `option` key and answers null for an unknown name, the whole store without it. Values are kept as sent.
 */
function optionsOf(p: P): Record<string, unknown> {
  const given = "options" in p ? p.options : p;
  if (!given || typeof given !== "object" || Object.keys(given).length === 0) throw ERR.argument("options");
  return given as Record<string, unknown>;
}

function readOption(store: Record<string, unknown>, p: P) {
  if (p.option === undefined) return ok(store);
  const name = str(p.option) ?? "";
  return ok(Object.prototype.hasOwnProperty.call(store, name) ? store[name] : null);
}

/** Per user and per app (CUserOptions "app_options"): any user may read and write their own. */
function userStore(ctx: RestContext): Record<string, unknown> {
  let s = ctx.portal.userOptions.get(ctx.user.id);
  if (!s) {
    s = {};
    ctx.portal.userOptions.set(ctx.user.id, s);
  }
  return s;
}

register(
  { name: "app.option.get", scope: [], appOnly: "ACCESS_DENIED", run: (ctx, p) => readOption(ctx.portal.appOptions, p) },
  {
    name: "app.option.set",
    scope: [],
    appOnly: "ACCESS_DENIED",
    run: (ctx, p) => {
      // The core validates the options before it checks for an administrator.
      const options = optionsOf(p);
      if (!ctx.user.admin) throw ERR.accessDenied("Administrator authorization required");
      Object.assign(ctx.portal.appOptions, options);
      return ok(true);
    },
  },
  { name: "user.option.get", scope: [], appOnly: "ACCESS_DENIED", run: (ctx, p) => readOption(userStore(ctx), p) },
  {
    name: "user.option.set",
    scope: [],
    appOnly: "ACCESS_DENIED",
    run: (ctx, p) => {
      Object.assign(userStore(ctx), optionsOf(p));
      return ok(true);
    },
  },
);
