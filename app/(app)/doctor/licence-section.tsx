import { getTranslations } from "next-intl/server";
import { LicenceFacts } from "@/components/licence-facts";
import { licenceOf } from "@/lib/bitrix24";

/** The doctor's licence card: the stored app.info snapshot (re-read when a day old), lib/bitrix24/licence.ts. */
export async function LicenceSection({ memberId }: { memberId: string }) {
  const [licence, t] = await Promise.all([licenceOf(memberId), getTranslations("licence")]);
  return (
    <section aria-labelledby="licence-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="licence-h" className="font-semibold">{t("doctorTitle")}</h2>
      <dl className="mt-2 divide-y divide-slate-100 text-sm">
        <LicenceFacts licence={licence} />
      </dl>
    </section>
  );
}
