import Link from "next/link";
import { useTranslations } from "next-intl";

/**
 * The app's name (common.appName) and icon (public/icon.svg). Make both yours; never Bitrix24's logo or a look-alike
 * of it. A product name is not translated by the browser either.
 */
export function Brand() {
  const t = useTranslations("common");
  return (
    <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
      {/* eslint-disable-next-line @next/next/no-img-element -- a 32 px SVG needs no image optimisation */}
      <img src="/icon.svg" alt="" width={32} height={32} className="size-8" />
      <span translate="no">{t("appName")}</span>
    </Link>
  );
}
