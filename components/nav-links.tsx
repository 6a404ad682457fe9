"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import type { ComponentType } from "react";
import { ContactsIcon, DealsIcon, HomeIcon, ReportsIcon, SettingsIcon, type IconProps } from "@/components/icons";
import type { NavPage } from "@/lib/bitrix24/manifest";

/** Decorative icons for the template's own pages; a page added to the manifest without one shows its label alone. */
const ICONS: Record<string, ComponentType<IconProps>> = {
  "/dashboard": HomeIcon,
  "/deals": DealsIcon,
  "/contacts": ContactsIcon,
  "/reports": ReportsIcon,
  "/settings": SettingsIcon,
};

/** The manifest's pages (bitrix24.app.ts `pages`) with their labels in the page's language, the current one marked. */
export function NavLinks({ pages }: { pages: readonly NavPage[] }) {
  const path = usePathname();
  const locale = useLocale();
  const t = useTranslations("common");
  return (
    <nav aria-label={t("mainNav")} className="flex flex-wrap gap-1">
      {pages.filter((p) => !p.hidden).map((item) => {
        const Icon = ICONS[item.href];
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={item.href === path ? "page" : undefined}
            className="inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-700"
          >
            {Icon ? <Icon className="size-4 shrink-0" /> : null}
            {item.label[locale]}
          </Link>
        );
      })}
    </nav>
  );
}
