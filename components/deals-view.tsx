"use client";
import { useState } from "react";
import { b24Call, B24CallError, useInvalidate } from "@/components/b24-client";
import { EntityList } from "@/components/entity-list";
import { FormFooter } from "@/components/form-footer";
import { usePortal } from "@/components/portal-context";
import { SignInAgainButton } from "@/components/sign-in-again";
import { money, useStageNames } from "@/components/deal-format";

export function DealsView() {
  const stages = useStageNames();
  return (
    <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
      <EntityList
        method="crm.deal.list"
        params={{ order: { ID: "DESC" }, select: ["ID", "TITLE", "OPPORTUNITY", "CURRENCY_ID", "STAGE_ID", "DATE_CREATE"] }}
        title="All deals"
        caption="Deals, newest first"
        noun={{ plural: "Deals", empty: "No deals yet. Create the first one." }}
        columns={[
          { header: "ID", cell: (d) => <span className="text-slate-500 tabular-nums">{d.ID}</span> },
          { header: "Title", cell: (d) => <span className="font-medium">{d.TITLE}</span> },
          { header: "Amount", align: "right", cell: (d) => money(d.OPPORTUNITY, d.CURRENCY_ID) },
          { header: "Stage", wide: true, cell: (d) => <span className="text-slate-600">{stages.name(d.STAGE_ID)}</span> },
        ]}
      />
      <CreateDeal />
    </div>
  );
}

function CreateDeal() {
  const portal = usePortal();
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; reauth?: boolean } | null>(null);

  async function submit(form: FormData) {
    const title = String(form.get("title") ?? "").trim();
    const amount = String(form.get("amount") ?? "").trim();
    if (!title) return setMessage({ ok: false, text: "Give the deal a title." });
    if (amount && !/^\d+(\.\d{1,2})?$/.test(amount)) return setMessage({ ok: false, text: "Amount must be a number, e.g. 1500 or 99.90." });
    setPending(true);
    setMessage(null);
    try {
      const { result } = await b24Call("crm.deal.add", {
        fields: { TITLE: title, OPPORTUNITY: amount || "0", CURRENCY_ID: String(form.get("currency") ?? "USD") },
      });
      setMessage({ ok: true, text: `Deal #${result} created.` });
      await invalidate("crm.deal.list");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof B24CallError ? err.message : "The deal could not be created.", reauth: err instanceof B24CallError && err.code === "needs_reauth" });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="new-deal-h" className="h-fit rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="new-deal-h" className="font-semibold">
        New deal
      </h2>
      <form action={submit} className="mt-4 space-y-4" noValidate>
        <div>
          <label htmlFor="deal-title" className="block text-sm font-medium text-slate-700">Title</label>
          <input id="deal-title" name="title" required maxLength={255} className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none" />
        </div>
        <div className="grid grid-cols-[1fr_6rem] gap-3">
          <div>
            <label htmlFor="deal-amount" className="block text-sm font-medium text-slate-700">Amount</label>
            <input id="deal-amount" name="amount" inputMode="decimal" placeholder="0.00" className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none" />
          </div>
          <div>
            <label htmlFor="deal-currency" className="block text-sm font-medium text-slate-700">Currency</label>
            <select id="deal-currency" name="currency" defaultValue="USD" className="mt-1 w-full rounded-lg border border-slate-300 bg-white px-2 py-2 shadow-sm">
              {["USD", "EUR", "RUB", "GBP"].map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        </div>
        <FormFooter pending={pending} label="Create deal" pendingLabel="Creating…" message={message} />
        {message?.reauth ? <SignInAgainButton portal={portal} /> : null}
      </form>
    </section>
  );
}
