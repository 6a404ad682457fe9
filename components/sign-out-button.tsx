"use client";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";

/** `userName`: who is signed in, named in the button's tooltip (the header has no room for it beside the language switcher). */
export function SignOutButton({ userName }: { userName?: string }) {
  const t = useTranslations("common");
  return (
    <button
      type="button"
      onClick={() => void signOut({ callbackUrl: "/" })}
      title={userName ? t("signedInAs", { name: userName }) : undefined}
      className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600"
    >
      {t("signOut")}
    </button>
  );
}
