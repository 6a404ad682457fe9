/**
 * What this app is in Bitrix24: START HERE. One line per capability; the README's "Build your app on it" shows each
 * recipe. Everything else reads this file:
 * - `scopes`: the permissions to tick in the app's form in Bitrix24; the install doctor flags any the portal lacks.
 * - `methods`: the REST methods pages may call through /api/b24/{method}, typed for b24Call/useB24Query
 *   (`B24_PROXY_METHODS` can narrow the list per deployment, never widen it).
 * - `events`: business events, bound at install and again on every update, run only after the delivery was
 *   authenticated (application_token), with a client acting as the installer.
 * - `placements`, `robots`: where the app appears inside Bitrix24 screens, and automation rules.
 */
import { defineApp, method } from "@/lib/bitrix24/manifest";
import type { AddParams, Contact, Deal, ListParams, User } from "@/lib/bitrix24/types";
import { onDealAdd } from "@/lib/handlers/on-deal-add";

const manifest = defineApp({
  scopes: ["crm", "user"],
  methods: {
    profile: method<Record<string, never>, User>(),
    "user.current": method<Record<string, never>, User>(),
    "app.info": method<Record<string, never>, Record<string, unknown>>(),
    scope: method<{ full?: boolean }, string[]>(),
    "server.time": method<Record<string, never>, string>(),
    "app.option.get": method<{ option?: string }, unknown>(),
    "crm.deal.list": method<ListParams<Deal>, Deal[]>(),
    "crm.deal.get": method<{ id: number | string }, Deal>(),
    "crm.deal.add": method<AddParams<Deal>, number>(),
    "crm.deal.update": method<AddParams<Deal> & { id: number | string }, boolean>(),
    "crm.deal.fields": method<Record<string, never>, Record<string, unknown>>(),
    "crm.contact.list": method<ListParams<Contact>, Contact[]>(),
    "crm.contact.add": method<AddParams<Contact>, number>(),
    batch: method<{ halt?: 0 | 1; cmd: Record<string, string> | string[] }, Record<string, unknown>>(),
  },
  events: {
    ONCRMDEALADD: onDealAdd,
  },
  placements: {},
  robots: {},
});

export default manifest;
export type AppMethods = typeof manifest.methods;
