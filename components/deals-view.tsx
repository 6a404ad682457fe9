"use client";
import { useState } from "react";
import { b24Call, B24CallError, useB24Query } from "@/components/b24-client";
import { CallError } from "@/components/call-error";
import { SignInAgainButton, type PortalRef } from "@/components/sign-in-again";

interface Deal {
  ID: string;
  TITLE: string;
  OPPORTUNITY: string | null;
  CURRENCY_ID: string | null;
  STAGE_ID: string | null;
  DATE_CREATE: string | null;
}

const PAGE = 50; // Bitrix24's fixed list page size

function money(amount: string | null, currency: string | null): string {
  const n = Number(amount ?? 0);
  if (!Number.isFinite(n)) return "—";
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency || "USD", maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency ?? ""}`.trim();
  }
}

export function DealsView({ portal }: { portal: PortalRef }) {
  const [start, setStart] = useState(0);
  const list = useB24Query<Deal[]>("crm.deal.list", {
    order: { ID: "DESC" },
    select: ["ID", "TITLE", "OPPORTUNITY", "CURRENCY_ID", "STAGE_ID", "DATE_CREATE"],
    start,
  });
  const total = list.data?.total;
  const from = total === 0 ? 0 : start + 1;
  const to = start + (list.data?.result.length ?? 0);

  return (
    <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
      <section aria-labelledby="deals-h" className="rounded-2xl border border-slate-200 bg-white shadow-sm">
        <div className="flex items-center justify-between border-b border-slate-100 px-6 py-4">
          <h2 id="deals-h" className="font-semibold">
            All deals
          </h2>
          <p className="text-sm text-slate-500" aria-live="polite">
            {list.data && total !== undefined ? `${from}–${to} of ${total}` : ""}
          </p>
        </div>
        {list.error ? <CallError title="Deals could not be loaded." error={list.error} portal={portal} onRetry={list.reload} /> : null}
        <div aria-busy={list.loading} className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Deals, newest first</caption>
            <thead className="bg-slate-50 text-xs tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-6 py-2 font-medium">ID</th>
                <th scope="col" className="px-6 py-2 font-medium">Title</th>
                <th scope="col" className="px-6 py-2 text-right font-medium">Amount</th>
                <th scope="col" className="hidden px-6 py-2 font-medium sm:table-cell">Stage</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.loading && !list.data ? (
                <tr>
                  <td colSpan={4} className="px-6 py-8 text-center text-slate-500">
                    Loading deals…
                  </td>
                </tr>
              ) : null}
              {list.data?.result.length === 0 ? (
                <tr>
                  <td colSpan={4} className="px-6 py-8 text-center text-slate-500">
                    No deals yet. Create the first one.
                  </td>
                </tr>
              ) : null}
              {list.data?.result.map((d) => (
                <tr key={d.ID} className={list.loading ? "opacity-60" : undefined}>
                  <td className="px-6 py-2.5 text-slate-500 tabular-nums">{d.ID}</td>
                  <td className="px-6 py-2.5 font-medium">{d.TITLE}</td>
                  <td className="px-6 py-2.5 text-right tabular-nums">{money(d.OPPORTUNITY, d.CURRENCY_ID)}</td>
                  <td className="hidden px-6 py-2.5 text-slate-600 sm:table-cell">{d.STAGE_ID ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav aria-label="Pages" className="flex justify-between border-t border-slate-100 px-6 py-3">
          <button type="button" disabled={start === 0 || list.loading} onClick={() => setStart(Math.max(0, start - PAGE))} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-40">
            Previous
          </button>
          <button type="button" disabled={list.data?.next === undefined || list.loading} onClick={() => list.data?.next !== undefined && setStart(list.data.next)} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-40">
            Next
          </button>
        </nav>
      </section>
      <CreateDeal
        portal={portal}
        onCreated={() => {
          setStart(0);
          list.reload();
        }}
      />
    </div>
  );
}

function CreateDeal({ portal, onCreated }: { portal: PortalRef; onCreated: () => void }) {
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
      const { result } = await b24Call<number>("crm.deal.add", {
        fields: { TITLE: title, OPPORTUNITY: amount || "0", CURRENCY_ID: String(form.get("currency") ?? "USD") },
      });
      setMessage({ ok: true, text: `Deal #${result} created.` });
      onCreated();
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
        <button type="submit" disabled={pending} className="w-full rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
          {pending ? "Creating…" : "Create deal"}
        </button>
        {message ? (
          <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-emerald-700" : "text-sm text-red-600"}>
            {message.text}
          </p>
        ) : null}
        {message?.reauth ? <SignInAgainButton portal={portal} /> : null}
      </form>
    </section>
  );
}
