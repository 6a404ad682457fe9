import { Brand } from "@/components/brand";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import type { NavPage } from "@/lib/bitrix24/manifest";

/** One row at the content's width in every language; on a narrow frame the switcher and sign-out wrap to the right. */
export function AppHeader({ userName, pages }: { userName: string; pages: readonly NavPage[] }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-4">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <Brand />
          <NavLinks pages={pages} />
        </div>
        <div className="ml-auto flex items-center gap-3">
          <LocaleSwitcher />
          <SignOutButton userName={userName} />
        </div>
      </div>
    </header>
  );
}
