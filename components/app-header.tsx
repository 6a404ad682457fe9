import { Brand } from "@/components/brand";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import type { NavPage } from "@/lib/bitrix24/manifest";

export function AppHeader({ userName, pages }: { userName: string; pages: readonly NavPage[] }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-4">
        <div className="flex items-center gap-6">
          <Brand />
          <NavLinks pages={pages} />
        </div>
        <div className="flex items-center gap-3">
          <span className="hidden text-sm text-slate-600 sm:inline">{userName}</span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
