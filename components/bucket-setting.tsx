"use client";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { FormFooter } from "@/components/form-footer";
import { saveBucketChoice } from "@/lib/actions/settings";
import type { PortalBucket } from "@/lib/bitrix24";

/** Administrators only (the page does not render it for others, and the action refuses them). */
export function BucketSetting({ bucket }: { bucket: PortalBucket }) {
  const t = useTranslations("bucket");
  const tSettings = useTranslations("settings");
  const format = useFormatter();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const seconds = bucket.takesEffectSec;

  async function save(form: FormData) {
    setPending(true);
    setMessage(null);
    try {
      const saved = await saveBucketChoice(form.get("bucket"));
      setMessage(saved.ok ? { ok: true, text: t("applied", { seconds }) } : { ok: false, text: saved.error });
      if (saved.ok) router.refresh();
    } catch {
      setMessage({ ok: false, text: tSettings("saveFailed") });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="bucket-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="bucket-h" className="font-semibold">{t("title")}</h2>
      <p className="mt-1 text-sm text-slate-600">{t("intro", { seconds })}</p>
      <form action={save} className="mt-4 space-y-4">
        <fieldset>
          <legend className="sr-only">{t("legend")}</legend>
          {bucket.options.map((o) => (
            <label key={o.choice} className="flex items-center gap-2 py-1 text-sm text-slate-700">
              <input type="radio" name="bucket" value={o.choice} defaultChecked={bucket.choice === o.choice} className="accent-brand-600" />
              {t("option", { name: t(`choice.${o.choice}`), burst: o.burst, perSec: o.perSec })}
            </label>
          ))}
        </fieldset>
        {bucket.share < 1 ? (
          <p className="text-sm text-amber-700">{t("slowed", { share: format.number(bucket.share, { style: "percent", maximumFractionDigits: 0 }) })}</p>
        ) : null}
        {bucket.choice === "custom" ? <p className="text-sm text-slate-500">{t("custom", { burst: bucket.current.burst, perSec: bucket.current.perSec })}</p> : null}
        {/* "Apply", not "Save": the option forms above own the page's Save buttons and their "Saved." line. */}
        <FormFooter pending={pending} label={t("apply")} pendingLabel={t("applying")} message={message} />
      </form>
    </section>
  );
}
