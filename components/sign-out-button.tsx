"use client";
import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { SignOutIcon } from "@/components/icons";
import { Button } from "@/components/ui";

/** `userName`: who is signed in, named in the button's tooltip (the header has no room for it beside the language switcher). */
export function SignOutButton({ userName }: { userName?: string }) {
  const t = useTranslations("common");
  return (
    <Button
      type="button"
      variant="secondary"
      size="sm"
      icon={<SignOutIcon className="size-4" />}
      onClick={() => void signOut({ callbackUrl: "/" })}
      title={userName ? t("signedInAs", { name: userName }) : undefined}
    >
      {t("signOut")}
    </Button>
  );
}
