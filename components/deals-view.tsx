"use client";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { b24Call, B24CallError, useInvalidate } from "@/components/b24-client";
import { EntityList } from "@/components/entity-list";
import { FormFooter } from "@/components/form-footer";
import { usePortal } from "@/components/portal-context";
import { SignInAgainButton } from "@/components/sign-in-again";
import { parseAmount, useDealFormat, useStageNames } from "@/components/deal-format";

const CURRENCIES = ["USD", "EUR", "RUB", "GBP"];

export function DealsView() {
  const t = useTranslations("deals");
  const stages = useStageNames();
  const format = useDealFormat();
  return (
    <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
      <EntityList
        method="crm.deal.list"
        params={{ order: { ID: "DESC" }, select: ["ID", "TITLE", "OPPORTUNITY", "CURRENCY_ID", "STAGE_ID", "DATE_CREATE"] }}
        labels={{ title: t("list.title"), caption: t("list.caption"), loading: t("list.loading"), empty: t("list.empty"), failed: t("list.failed") }}
        columns={[
          { header: t("columns.id"), cell: (d) => <span className="text-slate-500 tabular-nums">{d.ID}</span> },
          { header: t("columns.title"), cell: (d) => <span className="font-medium" translate="no">{d.TITLE}</span> },
          { header: t("columns.amount"), align: "right", cell: (d) => <span className="whitespace-nowrap">{format.money(d.OPPORTUNITY, d.CURRENCY_ID)}</span> },
          { header: t("columns.stage"), wide: true, cell: (d) => <span className="text-slate-600" translate="no">{stages.name(d.STAGE_ID)}</span> },
          { header: t("columns.created"), wide: true, cell: (d) => <span className="whitespace-nowrap text-slate-600">{format.date(d.DATE_CREATE)}</span> },
        ]}
      />
      <CreateDeal />
    </div>
  );
}

function CreateDeal() {
  const t = useTranslations("deals.form");
  const format = useFormatter();
  const portal = usePortal();
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; reauth?: boolean } | null>(null);

  async function submit(form: FormData) {
    const title = String(form.get("title") ?? "").trim();
    const typed = String(form.get("amount") ?? "").trim();
    const amount = typed ? parseAmount(typed) : "0";
    if (!title) return setMessage({ ok: false, text: t("titleRequired") });
    if (amount === null) return setMessage({ ok: false, text: t("amountInvalid") });
    setPending(true);
    setMessage(null);
    try {
      const { result } = await b24Call("crm.deal.add", {
        fields: { TITLE: title, OPPORTUNITY: amount, CURRENCY_ID: String(form.get("currency") ?? "USD") },
      });
      setMessage({ ok: true, text: t("created", { id: String(result) }) });
      await invalidate("crm.deal.list");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof B24CallError ? err.message : t("failed"), reauth: err instanceof B24CallError && err.code === "needs_reauth" });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="new-deal-h" className="h-fit rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="new-deal-h" className="font-semibold">
        {t("heading")}
      </h2>
      <form action={submit} className="mt-4 space-y-4" noValidate>
        <div>
          <label htmlFor="deal-title" className="block text-sm font-medium text-slate-700">{t("title")}</label>
          <input id="deal-title" name="title" required maxLength={255} className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none" />
        </div>
        <div className="grid grid-cols-[1fr_6rem] gap-3">
          <div>
            <label htmlFor="deal-amount" className="block text-sm font-medium text-slate-700">{t("amount")}</label>
            <input id="deal-amount" name="amount" inputMode="decimal" placeholder={format.number(0, { minimumFractionDigits: 2 })} className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none" />
          </div>
          <div>
            <label htmlFor="deal-currency" className="block text-sm font-medium text-slate-700">{t("currency")}</label>
            {/* ISO 4217 codes: the same in every language. */}
            <select id="deal-currency" name="currency" defaultValue="USD" translate="no" className="mt-1 w-full rounded-lg border border-slate-300 bg-white px-2 py-2 shadow-sm">
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        </div>
        <FormFooter pending={pending} label={t("submit")} pendingLabel={t("pending")} message={message} />
        {message?.reauth ? <SignInAgainButton portal={portal} /> : null}
      </form>
    </section>
  );
}
