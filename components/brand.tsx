import Link from "next/link";

/** The app's name and icon (public/icon.svg). Make both yours; never Bitrix24's logo or a look-alike of it. */
export function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
      {/* eslint-disable-next-line @next/next/no-img-element -- a 32 px SVG needs no image optimisation */}
      <img src="/icon.svg" alt="" width={32} height={32} className="size-8" />
      <span>Bitrix24 App</span>
    </Link>
  );
}
