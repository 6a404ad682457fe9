"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useB24Query, useInvalidate } from "@/components/b24-client";
import { CallError } from "@/components/call-error";
import { useFrameBridge } from "@/components/frame-fit";
import { FormFooter } from "@/components/form-footer";
import { Button } from "@/components/ui/button";
import { usePortal } from "@/components/portal-context";
import { saveSetting } from "@/lib/actions/settings";

type Saved = { ok: boolean; text: string } | null;
const input = "mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none";

function asOptions(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** One option group: read with `*.option.get` through the proxy, written by the saveSetting server action. */
function OptionSection({ scope, name, disabled }: { scope: "app" | "user"; name: string; disabled?: boolean }) {
  const t = useTranslations("settings");
  const portal = usePortal();
  const invalidate = useInvalidate();
  const read = useB24Query(scope === "app" ? "app.option.get" : "user.option.get", {});
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<Saved>(null);
  const current = asOptions(read.data?.result)[name];

  async function save(form: FormData) {
    const value = String(form.get(name) ?? "").trim().slice(0, 200);
    setPending(true);
    setMessage(null);
    try {
      const saved = await saveSetting(scope, name, value);
      if (saved.ok) await invalidate(scope === "app" ? "app.option.get" : "user.option.get");
      setMessage(saved.ok ? { ok: true, text: t("saved") } : { ok: false, text: saved.error });
    } catch {
      setMessage({ ok: false, text: t("saveFailed") });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby={`${scope}-h`} className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id={`${scope}-h`} className="font-semibold">{t(`${scope}.title`)}</h2>
      <p className="mt-1 text-sm text-slate-600">{t(`${scope}.hint`)}</p>
      {read.error ? (
        <CallError title={t("readFailed")} error={read.error} portal={portal} onRetry={read.reload} />
      ) : (
        <form action={save} className="mt-4 space-y-4" noValidate>
          <div>
            <label htmlFor={`${scope}-${name}`} className="block text-sm font-medium text-slate-700">{t(`${scope}.label`)}</label>
            <input id={`${scope}-${name}`} name={name} key={String(current ?? "")} defaultValue={typeof current === "string" ? current : ""} maxLength={200} disabled={disabled || read.loading && !read.data} className={input} />
          </div>
          {disabled ? <p className="text-sm text-slate-500">{t("adminOnly")}</p> : <FormFooter pending={pending} label={t("save")} pendingLabel={t("saving")} message={message} />}
        </form>
      )}
    </section>
  );
}

export function SettingsForm({ isAdmin, inSlider }: { isAdmin: boolean; inSlider: boolean }) {
  const t = useTranslations("settings");
  const bridge = useFrameBridge();
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <OptionSection scope="app" name="greeting" disabled={!isAdmin} />
      <OptionSection scope="user" name="signature" />
      {inSlider && bridge ? (
        <div>
          <Button variant="secondary" onClick={() => void bridge.call("closeApplication", {}).catch(() => undefined)}>
            {t("close")}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
