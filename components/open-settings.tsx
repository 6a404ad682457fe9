"use client";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useFrameBridge } from "@/components/frame-fit";

/** Inside Bitrix24 the settings open in the portal's slider (openApplication); standalone it is a plain link. */
export function OpenSettings() {
  const t = useTranslations("settings");
  const bridge = useFrameBridge();
  const className = "font-medium text-brand-700 hover:underline";
  if (!bridge) {
    return (
      <Link href="/settings" className={className}>
        {t("title")}
      </Link>
    );
  }
  return (
    <button type="button" className={className} onClick={() => void bridge.call("openApplication", { page: "/settings", bx24_title: t("title"), bx24_width: 720 })}>
      {t("title")}
    </button>
  );
}
