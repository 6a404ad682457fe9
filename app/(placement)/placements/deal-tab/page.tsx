import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { DealTab } from "@/components/deal-tab";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("dealTab");
  return { title: t("metaTitle") };
}

/** CRM_DEAL_DETAIL_TAB (bitrix24.app.ts): the placement route checked `id`'s shape; the tab reads the deal itself. */
export default async function DealTabPage({ searchParams }: { searchParams: Promise<{ id?: string | string[] }> }) {
  const { id } = await searchParams;
  if (typeof id !== "string" || !/^[1-9][0-9]{0,17}$/.test(id)) notFound();
  return <DealTab id={id} />;
}
