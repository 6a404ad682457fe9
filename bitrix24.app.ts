/**
 * What this app is in Bitrix24: START HERE. One line per capability; the README's "Build your app on it" shows each
 * recipe. Everything else reads this file:
 * - `scopes`: the permissions to tick in the app's form in Bitrix24; the install doctor flags any the portal lacks.
 * - `pages`: the signed-in pages' navigation (each page is one file under app/(app)/), its label in every language.
 * - `methods`: the REST methods pages may call through /api/b24/{method}, typed for b24Call/useB24Query
 *   (`B24_PROXY_METHODS` can narrow the list per deployment, never widen it).
 * - `events`: business events, bound at install and again on every update, run only after the delivery was
 *   authenticated (application_token), with a client acting as the installer; `{ handler, offline: true }` takes
 *   an event from Bitrix24's offline queue instead (loss-free; needs an administrator installer).
 * - `placements`: where the app appears inside Bitrix24 screens (bound at install and on every update).
 * - `robots`: automation rules for deals (registered at install and on every update); Bitrix24 calls
 *   /api/b24/robot, the handler runs from the inbox as the installer and its result goes back with bizproc.event.send.
 */
import { z } from "zod";
import { crm, defineApp, method } from "@/lib/bitrix24/manifest";
import type { Contact, CrmStatus, Deal, TimelineCommentAdd, User } from "@/lib/bitrix24/types";
import { onDealAdd } from "@/lib/handlers/on-deal-add";
import { onDealUpdate } from "@/lib/handlers/on-deal-update";
import { scoreDeal } from "@/lib/handlers/score-deal";

const manifest = defineApp({
  scopes: ["crm", "user", "placement", "bizproc"],
  pages: [
    { href: "/dashboard", label: { en: "Dashboard", ru: "Главная", de: "Dashboard" } },
    { href: "/deals", label: { en: "Deals", ru: "Сделки", de: "Deals" } },
    { href: "/contacts", label: { en: "Contacts", ru: "Контакты", de: "Kontakte" } },
    // Paid-only (requireLicence in the page): without a usable licence it shows the paywall.
    { href: "/reports", label: { en: "Reports", ru: "Отчёты", de: "Berichte" } },
    { href: "/settings", label: { en: "Settings", ru: "Настройки", de: "Einstellungen" } },
  ],
  methods: {
    profile: method<Record<string, never>, User>(),
    "user.current": method<Record<string, never>, User>(),
    "app.info": method<Record<string, never>, Record<string, unknown>>(),
    scope: method<{ full?: boolean }, string[]>(),
    "server.time": method<Record<string, never>, string>(),
    "app.option.get": method<{ option?: string }, unknown>(),
    "user.option.get": method<{ option?: string }, unknown>(),
    ...crm<"deal", Deal>("deal"),
    ...crm<"contact", Contact>("contact"),
    "crm.status.list": method<{ filter?: Partial<Record<keyof CrmStatus, string>>; order?: Partial<Record<keyof CrmStatus, "ASC" | "DESC">> }, CrmStatus[]>(),
    "crm.timeline.comment.add": method<TimelineCommentAdd, number>(),
    batch: method<{ halt?: 0 | 1; cmd: Record<string, string> | string[] }, Record<string, unknown>>(),
  },
  events: {
    ONCRMDEALADD: onDealAdd,
    // Pulled from Bitrix24's offline queue: nothing is lost while the app is down (lib/bitrix24/inbox/offline.ts).
    ONCRMDEALUPDATE: { handler: onDealUpdate, offline: true },
  },
  placements: {
    // The deal card's tab: Bitrix24 posts {"ID":"<deal id>"}; the page reads the deal back as the opening user.
    CRM_DEAL_DETAIL_TAB: {
      page: "/placements/deal-tab",
      title: { en: "Template app", ru: "Приложение-шаблон", de: "Vorlagen-App" },
      options: z.object({ ID: z.string().regex(/^[1-9][0-9]{0,17}$/) }).transform((o) => ({ id: o.ID })),
    },
  },
  robots: {
    // A deal automation step: reads the deal as the installer and hands `score` to the next steps.
    score_deal: {
      name: { en: "Score the deal", ru: "Оценить сделку", de: "Deal bewerten" },
      properties: {
        weight: { name: { en: "Weight", ru: "Вес", de: "Gewichtung" }, type: "int", required: false, default: 1 },
      },
      returnProperties: {
        score: { name: { en: "Score", ru: "Оценка", de: "Punktzahl" }, type: "int" },
      },
      handler: scoreDeal,
    },
  },
});

export default manifest;
export type AppMethods = typeof manifest.methods;
