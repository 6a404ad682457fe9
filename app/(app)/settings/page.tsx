import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { BucketSetting } from "@/components/bucket-setting";
import { RICH } from "@/components/rich-tags";
import { SettingsForm } from "@/components/settings-form";
import { portalBucket } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings");
  return { title: t("title") };
}

/**
 * The app's settings: portal-wide ones in app.option.* (Bitrix24 lets only administrators write them) and the
 * person's own in user.option.*. Opened standalone from the header, or inside Bitrix24 in a slider
 * (openApplication with `page: "/settings"`, which the app URL routes here with `frame=slider`). Administrators also
 * choose the portal's request bucket, which the app keeps itself.
 */
export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ frame?: string }> }) {
  const session = await requirePortalSession();
  const { frame } = await searchParams;
  const bucket = session.isAdmin ? await portalBucket(session.memberId) : null;
  const t = await getTranslations("settings");
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{t("title")}</h1>
      <p className="mt-1 text-slate-600">{t.rich("intro", { ...RICH, host: session.portalHost })}</p>
      <div className="mt-8">
        <SettingsForm isAdmin={session.isAdmin} inSlider={frame === "slider"} />
      </div>
      {bucket ? (
        <div className="mt-6">
          <BucketSetting bucket={bucket} />
        </div>
      ) : null}
    </>
  );
}
