import { Brand } from "@/components/brand";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import { ContactsIcon, DealsIcon, HomeIcon, ReportsIcon, SettingsIcon, SignOutIcon, type IconProps } from "@/components/icons";
import type { NavPage } from "@/lib/bitrix24/manifest";
import type { ComponentType } from "react";

/** Decorative icons for the template's own pages; a page added to the manifest without one shows its label alone. */
const ICONS: Record<string, ComponentType<IconProps>> = {
  "/dashboard": HomeIcon,
  "/deals": DealsIcon,
  "/contacts": ContactsIcon,
  "/reports": ReportsIcon,
  "/settings": SettingsIcon,
};

function navIcons(pages: readonly NavPage[]) {
  return Object.fromEntries(
    pages.flatMap((p) => {
      const Icon = ICONS[p.href];
      return Icon ? [[p.href, <Icon key={p.href} className="size-4 shrink-0" />]] : [];
    }),
  );
}

/** One row at the content's width in every language; on a narrow frame the switcher and sign-out wrap to the right. */
export function AppHeader({ userName, pages }: { userName: string; pages: readonly NavPage[] }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-4">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <Brand />
          <NavLinks pages={pages} icons={navIcons(pages)} />
        </div>
        <div className="ml-auto flex items-center gap-3">
          <LocaleSwitcher />
          <SignOutButton userName={userName} icon={<SignOutIcon className="size-4" />} />
        </div>
      </div>
    </header>
  );
}
