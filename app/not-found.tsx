import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Brand } from "@/components/brand";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  return { title: t("notFound.metaTitle") };
}

/** Rendered with HTTP 404 for an unknown address and by notFound(), in the reader's language. */
export default async function NotFound() {
  const t = await getTranslations("common");
  return (
    <div className="mx-auto flex min-h-dvh max-w-xl flex-col px-6 py-5">
      <Brand />
      <main className="my-auto rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-bold">{t("notFound.title")}</h1>
        <p className="mt-2 text-slate-600">{t("notFound.text")}</p>
        <Link href="/" className="mt-6 inline-block rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          {t("backToStart")}
        </Link>
      </main>
    </div>
  );
}
