import type { RestContext } from "../auth";
import { ERR, RestError } from "../envelope";
import { param, str } from "../params";
import { ok, register } from "../registry";

type P = Record<string, unknown>;

function optionsParam(p: P): Record<string, unknown> {
  const o = param(p, "options");
  if (!o || typeof o !== "object" || Array.isArray(o)) throw new RestError(400, "ERROR_CORE", "Wrong options");
  return o as Record<string, unknown>;
}

function readOption(store: Record<string, unknown>, p: P) {
  const name = str(param(p, "option"));
  return ok(name === undefined ? store : (store[name] ?? null));
}

function userStore(ctx: RestContext): Record<string, unknown> {
  let s = ctx.portal.userOptions.get(ctx.user.id);
  if (!s) {
    s = {};
    ctx.portal.userOptions.set(ctx.user.id, s);
  }
  return s;
}

register(
  { name: "app.option.get", scope: [], run: (ctx, p) => readOption(ctx.portal.appOptions, p) },
  {
    name: "app.option.set",
    scope: [],
    admin: "Administrator authorization required",
    run: (ctx, p) => {
      Object.assign(ctx.portal.appOptions, optionsParam(p));
      return ok(true);
    },
  },
  { name: "user.option.get", scope: [], run: (ctx, p) => readOption(userStore(ctx), p) },
  {
    name: "user.option.set",
    scope: [],
    run: (ctx, p) => {
      Object.assign(userStore(ctx), optionsParam(p));
      return ok(true);
    },
  },
  {
    name: "placement.bind",
    scope: ["placement"],
    admin: "Administrator authorization required",
    run: (ctx, p) => {
      const placement = str(param(p, "PLACEMENT"))?.toUpperCase();
      const handler = str(param(p, "HANDLER"));
      if (!placement) throw ERR.argument("PLACEMENT");
      if (!handler) throw ERR.argument("HANDLER");
      if (ctx.portal.placements.some((x) => x.placement === placement && x.handler === handler)) throw ERR.handlerExists();
      ctx.portal.placements.push({ placement, handler, title: str(param(p, "TITLE")) ?? "" });
      return ok(true);
    },
  },
  {
    name: "placement.unbind",
    scope: ["placement"],
    admin: "Administrator authorization required",
    run: (ctx, p) => {
      const placement = str(param(p, "PLACEMENT"))?.toUpperCase();
      const handler = str(param(p, "HANDLER"));
      const before = ctx.portal.placements.length;
      ctx.portal.placements = ctx.portal.placements.filter((x) => !(x.placement === placement && (!handler || x.handler === handler)));
      return ok({ count: before - ctx.portal.placements.length });
    },
  },
  {
    name: "placement.get",
    scope: ["placement"],
    run: (ctx) => ok(ctx.portal.placements.map((x) => ({ placement: x.placement, handler: x.handler, title: x.title }))),
  },
);
