"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { b24Call, B24CallError, useInvalidate } from "@/components/b24-client";
import { EntityList } from "@/components/entity-list";
import { FormFooter } from "@/components/form-footer";

/**
 * A page on another CRM entity, built the way the README's "Build your app on it" describes: this file plus one line
 * in bitrix24.app.ts (`...crm<"contact", Contact>("contact")`, and its nav entry), and its words in
 * lib/i18n/messages/<locale>/contacts.json. The signed-in layout guards it; every call goes through the proxy with
 * the person's own token.
 */
export default function ContactsPage() {
  const t = useTranslations("contacts");
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{t("heading")}</h1>
      <p className="mt-1 text-slate-600">{t("intro")}</p>
      <div className="mt-8 grid gap-8 lg:grid-cols-[1fr_20rem]">
        <EntityList
          method="crm.contact.list"
          params={{ order: { ID: "DESC" }, select: ["ID", "NAME", "LAST_NAME", "POST", "EMAIL"] }}
          labels={{ title: t("list.title"), caption: t("list.caption"), loading: t("list.loading"), empty: t("list.empty"), failed: t("list.failed") }}
          columns={[
            { header: t("columns.id"), cell: (c) => <span className="text-slate-500 tabular-nums">{c.ID}</span> },
            { header: t("columns.name"), cell: (c) => <span className="font-medium" translate="no">{[c.NAME, c.LAST_NAME].filter(Boolean).join(" ") || "—"}</span> },
            { header: t("columns.email"), cell: (c) => <span translate="no">{c.EMAIL?.[0]?.VALUE ?? "—"}</span> },
            { header: t("columns.position"), wide: true, cell: (c) => <span className="text-slate-600" translate="no">{c.POST ?? "—"}</span> },
          ]}
        />
        <AddContact />
      </div>
    </>
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function AddContact() {
  const t = useTranslations("contacts.form");
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(form: FormData) {
    const name = String(form.get("name") ?? "").trim();
    const lastName = String(form.get("lastName") ?? "").trim();
    const email = String(form.get("email") ?? "").trim();
    if (!name && !lastName) return setMessage({ ok: false, text: t("nameRequired") });
    if (email && !EMAIL.test(email)) return setMessage({ ok: false, text: t("emailInvalid") });
    setPending(true);
    setMessage(null);
    try {
      const { result } = await b24Call("crm.contact.add", {
        fields: { NAME: name || null, LAST_NAME: lastName || null, ...(email ? { EMAIL: [{ VALUE: email, VALUE_TYPE: "WORK" }] } : {}) },
      });
      setMessage({ ok: true, text: t("added", { id: String(result) }) });
      await invalidate("crm.contact.list");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof B24CallError ? err.message : t("failed") });
    } finally {
      setPending(false);
    }
  }

  const field = "mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none";
  return (
    <section aria-labelledby="new-contact-h" className="h-fit rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="new-contact-h" className="font-semibold">{t("heading")}</h2>
      <form action={submit} className="mt-4 space-y-4" noValidate>
        <label className="block text-sm font-medium text-slate-700">
          {t("firstName")}
          <input name="name" className={field} autoComplete="off" />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("lastName")}
          <input name="lastName" className={field} autoComplete="off" />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("email")}
          <input name="email" type="email" className={field} autoComplete="off" />
        </label>
        <FormFooter pending={pending} label={t("submit")} pendingLabel={t("pending")} message={message} />
      </form>
    </section>
  );
}
