"use client";
import { useState } from "react";
import { b24Call, B24CallError, useInvalidate } from "@/components/b24-client";
import { EntityList } from "@/components/entity-list";
import { FormFooter } from "@/components/form-footer";

/**
 * A page on another CRM entity, built the way the README's "Build your app on it" describes: this file plus one line
 * in bitrix24.app.ts (`...crm<"contact", Contact>("contact")`, and its nav entry). The signed-in layout guards it;
 * every call goes through the proxy with the person's own token.
 */
export default function ContactsPage() {
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">Contacts</h1>
      <p className="mt-1 text-slate-600">Your CRM contacts, read and created live through Bitrix24&apos;s REST API.</p>
      <div className="mt-8 grid gap-8 lg:grid-cols-[1fr_20rem]">
        <EntityList
          method="crm.contact.list"
          params={{ order: { ID: "DESC" }, select: ["ID", "NAME", "LAST_NAME", "POST", "EMAIL"] }}
          title="All contacts"
          caption="Contacts, newest first"
          noun={{ plural: "Contacts", empty: "No contacts yet. Add the first one." }}
          columns={[
            { header: "ID", cell: (c) => <span className="text-slate-500 tabular-nums">{c.ID}</span> },
            { header: "Name", cell: (c) => <span className="font-medium">{[c.NAME, c.LAST_NAME].filter(Boolean).join(" ") || "—"}</span> },
            { header: "E-mail", cell: (c) => c.EMAIL?.[0]?.VALUE ?? "—" },
            { header: "Position", wide: true, cell: (c) => <span className="text-slate-600">{c.POST ?? "—"}</span> },
          ]}
        />
        <AddContact />
      </div>
    </>
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function AddContact() {
  const invalidate = useInvalidate();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(form: FormData) {
    const name = String(form.get("name") ?? "").trim();
    const lastName = String(form.get("lastName") ?? "").trim();
    const email = String(form.get("email") ?? "").trim();
    if (!name && !lastName) return setMessage({ ok: false, text: "Give the contact a name." });
    if (email && !EMAIL.test(email)) return setMessage({ ok: false, text: "That e-mail address does not look right." });
    setPending(true);
    setMessage(null);
    try {
      const { result } = await b24Call("crm.contact.add", {
        fields: { NAME: name || null, LAST_NAME: lastName || null, ...(email ? { EMAIL: [{ VALUE: email, VALUE_TYPE: "WORK" }] } : {}) },
      });
      setMessage({ ok: true, text: `Contact #${result} added.` });
      await invalidate("crm.contact.list");
    } catch (err) {
      setMessage({ ok: false, text: err instanceof B24CallError ? err.message : "The contact could not be added." });
    } finally {
      setPending(false);
    }
  }

  const field = "mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none";
  return (
    <section aria-labelledby="new-contact-h" className="h-fit rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="new-contact-h" className="font-semibold">New contact</h2>
      <form action={submit} className="mt-4 space-y-4" noValidate>
        <label className="block text-sm font-medium text-slate-700">
          First name
          <input name="name" className={field} autoComplete="off" />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Last name
          <input name="lastName" className={field} autoComplete="off" />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          E-mail
          <input name="email" type="email" className={field} autoComplete="off" />
        </label>
        <FormFooter pending={pending} label="Add contact" pendingLabel="Adding…" message={message} />
      </form>
    </section>
  );
}
