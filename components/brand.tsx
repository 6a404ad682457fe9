import Link from "next/link";

export function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
      <span aria-hidden className="grid size-8 place-items-center rounded-lg bg-brand-500 text-sm font-bold text-white">
        24
      </span>
      <span>Bitrix24 App</span>
    </Link>
  );
}
