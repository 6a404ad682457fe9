"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { NavPage } from "@/lib/bitrix24/manifest";

/**
 * The manifest's pages (bitrix24.app.ts `pages`) with their labels in the page's language, the current one marked.
 * `icons` (by href) are rendered by the server component above: SVG paths travel as markup, not as this bundle's code.
 */
export function NavLinks({ pages, icons = {} }: { pages: readonly NavPage[]; icons?: Record<string, ReactNode> }) {
  const path = usePathname();
  const locale = useLocale();
  const t = useTranslations("common");
  return (
    <nav aria-label={t("mainNav")} className="flex flex-wrap gap-1">
      {pages.filter((p) => !p.hidden).map((item) => {
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={item.href === path ? "page" : undefined}
            className="inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-700"
          >
            {icons[item.href] ?? null}
            {item.label[locale]}
          </Link>
        );
      })}
    </nav>
  );
}
