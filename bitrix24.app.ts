/**
 * What this app is in Bitrix24: START HERE. One line per capability; the README's "Build your app on it" shows each
 * recipe. Everything else reads this file:
 * - `scopes`: the permissions to tick in the app's form in Bitrix24; the install doctor flags any the portal lacks.
 * - `pages`: the signed-in pages' navigation (each page is one file under app/(app)/).
 * - `methods`: the REST methods pages may call through /api/b24/{method}, typed for b24Call/useB24Query
 *   (`B24_PROXY_METHODS` can narrow the list per deployment, never widen it).
 * - `events`: business events, bound at install and again on every update, run only after the delivery was
 *   authenticated (application_token), with a client acting as the installer.
 * - `placements`, `robots`: where the app appears inside Bitrix24 screens, and automation rules.
 */
import { crm, defineApp, method } from "@/lib/bitrix24/manifest";
import type { Contact, Deal, User } from "@/lib/bitrix24/types";
import { onDealAdd } from "@/lib/handlers/on-deal-add";

const manifest = defineApp({
  scopes: ["crm", "user"],
  pages: [
    { href: "/dashboard", label: "Dashboard" },
    { href: "/deals", label: "Deals" },
    { href: "/contacts", label: "Contacts" },
  ],
  methods: {
    profile: method<Record<string, never>, User>(),
    "user.current": method<Record<string, never>, User>(),
    "app.info": method<Record<string, never>, Record<string, unknown>>(),
    scope: method<{ full?: boolean }, string[]>(),
    "server.time": method<Record<string, never>, string>(),
    "app.option.get": method<{ option?: string }, unknown>(),
    ...crm<"deal", Deal>("deal"),
    ...crm<"contact", Contact>("contact"),
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
