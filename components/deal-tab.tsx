"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { b24Call, B24CallError, useB24Query } from "@/components/b24-client";
import { CallError } from "@/components/call-error";
import { useDealFormat, useStageNames } from "@/components/deal-format";
import { useFrameBridge } from "@/components/frame-fit";
import { FormFooter } from "@/components/form-footer";
import { usePortal } from "@/components/portal-context";
import { Spinner } from "@/components/ui/loading";

/**
 * The deal card's tab. `id` came from PLACEMENT_OPTIONS, which anyone can forge, so nothing is shown until Bitrix24
 * returns the deal to the opening user's own token (through the proxy): a deal they may not read, or one of
 * another portal, ends in Bitrix24's own error and no data.
 */
export function DealTab({ id }: { id: string }) {
  const t = useTranslations("dealTab");
  const format = useDealFormat();
  const portal = usePortal();
  const deal = useB24Query("crm.deal.get", { id });
  const stages = useStageNames();
  if (deal.error) return <CallError title={t("cannotShow", { id })} error={deal.error} portal={portal} onRetry={deal.reload} />;
  const d = deal.data?.result;
  if (!d) return <Spinner label={t("loading", { id })} showLabel />;
  return (
    <div className="grid gap-6 md:grid-cols-[1fr_22rem]">
      <section aria-labelledby="deal-h" className="rounded-xl border border-slate-200 bg-white p-5">
        <h1 id="deal-h" className="text-lg font-semibold" data-testid="deal-title" translate="no">{d.TITLE}</h1>
        <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-500">{t("amount")}</dt>
          <dd data-testid="deal-amount">{format.money(d.OPPORTUNITY, d.CURRENCY_ID)}</dd>
          <dt className="text-slate-500">{t("stage")}</dt>
          <dd data-testid="deal-stage" translate="no">{stages.name(d.STAGE_ID)}</dd>
          <dt className="text-slate-500">{t("contact")}</dt>
          <dd data-testid="deal-contact">{d.CONTACT_ID && d.CONTACT_ID !== "0" ? <ContactName id={d.CONTACT_ID} /> : "—"}</dd>
        </dl>
      </section>
      <CommentForm dealId={d.ID} />
    </div>
  );
}

function ContactName({ id }: { id: string }) {
  const contact = useB24Query("crm.contact.get", { id });
  if (contact.error) return <span className="text-slate-500">#{id} ({contact.error.message})</span>;
  const c = contact.data?.result;
  return <span translate="no">{c ? [c.NAME, c.LAST_NAME].filter(Boolean).join(" ") || `#${id}` : "…"}</span>;
}

function CommentForm({ dealId }: { dealId: string }) {
  const t = useTranslations("dealTab.comment");
  const bridge = useFrameBridge();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(form: FormData) {
    const comment = String(form.get("comment") ?? "").trim();
    if (!comment) return setMessage({ ok: false, text: t("required") });
    setPending(true);
    setMessage(null);
    try {
      const { result } = await b24Call("crm.timeline.comment.add", { fields: { ENTITY_ID: Number(dealId), ENTITY_TYPE: "deal", COMMENT: comment } });
      setMessage({ ok: true, text: t("added", { id: String(result) }) });
      // The card around the tab shows its timeline: ask it to reload.
      bridge?.send("reloadData");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof B24CallError ? err.message : t("failed") });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="comment-h" className="h-fit rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="comment-h" className="font-semibold">{t("heading")}</h2>
      <form action={submit} className="mt-3 space-y-3" noValidate>
        <label htmlFor="comment" className="sr-only">{t("label")}</label>
        <textarea id="comment" name="comment" rows={3} maxLength={2000} className="w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none" />
        <FormFooter pending={pending} label={t("submit")} pendingLabel={t("pending")} message={message} />
      </form>
    </section>
  );
}
