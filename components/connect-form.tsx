"use client";
import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useActionState, useEffect, useId } from "react";
import { checkPortal, type ConnectState } from "@/lib/actions/connect";
import { Button } from "@/components/ui/button";

/** Bitrix24's OAuth servers by region (landing.form.regions); any other configured origin (the emulator) shows as its host. */
const REGIONS: Record<string, "global" | "russia"> = {
  "https://oauth.bitrix.info": "global",
  "https://oauth.bitrix24.tech": "russia",
};

/** `servers`: the configured OAuth server origins, default first; a region choice appears only when there are several. */
export function ConnectForm({ servers = [] }: { servers?: string[] }) {
  const [state, action, pending] = useActionState<ConnectState, FormData>(checkPortal, null);
  const t = useTranslations("landing");
  const inputId = useId();
  const errorId = useId();
  const regionId = useId();

  useEffect(() => {
    if (state?.ok) {
      void signIn("bitrix24", { callbackUrl: "/dashboard" }, { portal: state.host, server: state.server });
    }
  }, [state]);

  const error = state && !state.ok ? state.error : null;
  // After a valid address the browser is leaving for the portal; keep the button disabled meanwhile.
  const busy = pending || state?.ok === true;
  return (
    <form action={action} noValidate className="space-y-3">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">
        {t("form.address")}
      </label>
      <div className="flex flex-col gap-3 sm:flex-row">
        <input
          id={inputId}
          name="portal"
          type="text"
          inputMode="url"
          autoComplete="url"
          autoCapitalize="none"
          spellCheck={false}
          required
          placeholder={t("form.placeholder")}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className="min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3.5 py-2.5 text-base shadow-sm outline-none placeholder:text-slate-400 focus:border-brand-500 focus:ring-2 focus:ring-brand-100 aria-invalid:border-red-500"
        />
        <Button type="submit" size="lg" loading={busy}>
          {busy ? t("form.connecting") : t("form.connect")}
        </Button>
      </div>
      {servers.length > 1 ? (
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <label htmlFor={regionId}>{t("form.region")}</label>
          <select id={regionId} name="server" defaultValue={servers[0]} className="rounded-lg border border-slate-300 bg-white px-2.5 py-1.5">
            {servers.map((origin) => (
              <option key={origin} value={origin} translate={Object.hasOwn(REGIONS, origin) ? undefined : "no"}>
                {Object.hasOwn(REGIONS, origin) ? t(`form.regions.${REGIONS[origin]!}`) : new URL(origin).host}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" className="text-sm text-red-600">
          {t.rich(`hostError.${error.key}`, { pattern: error.pattern ?? "", code: (chunks) => <code translate="no">{chunks}</code> })}
        </p>
      ) : null}
    </form>
  );
}
