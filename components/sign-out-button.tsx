"use client";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";

/**
 * `userName`: who is signed in, named in the button's tooltip (the header has no room for it beside the language
 * switcher). `icon` comes rendered from a server component, keeping SVG paths out of the client bundle.
 */
export function SignOutButton({ userName, icon }: { userName?: string; icon?: ReactNode }) {
  const t = useTranslations("common");
  return (
    <Button
      type="button"
      variant="secondary"
      size="sm"
      icon={icon}
      onClick={() => void signOut({ callbackUrl: "/" })}
      title={userName ? t("signedInAs", { name: userName }) : undefined}
    >
      {t("signOut")}
    </Button>
  );
}
