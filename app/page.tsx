import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Brand } from "@/components/brand";
import { ConnectForm } from "@/components/connect-form";
import { LocaleSwitcher } from "@/components/locale-switcher";
import { getPortalSession } from "@/lib/auth";
import { b24Config } from "@/lib/bitrix24";

export const dynamic = "force-dynamic";

const STEPS = ["name", "approve", "back"] as const;

export default async function Home({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  // next-auth v4 sends failed callbacks to the sign-in page (this one) with ?error=<code>; show the error page.
  const { error } = await searchParams;
  if (typeof error === "string" && /^[A-Za-z]{1,40}$/.test(error)) redirect(`/auth/error?error=${error}`);
  if (await getPortalSession()) redirect("/dashboard");
  const t = await getTranslations("landing");
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-5">
        <Brand />
        <LocaleSwitcher />
      </header>
      <main className="mx-auto grid w-full max-w-5xl flex-1 gap-12 px-6 py-10 lg:grid-cols-[1.2fr_1fr] lg:py-20">
        <section>
          <p className="text-sm font-semibold tracking-wide text-brand-600 uppercase">{t("eyebrow")}</p>
          <h1 className="mt-3 text-4xl font-bold tracking-tight text-balance hyphens-auto sm:text-5xl">{t("title")}</h1>
          <p className="mt-4 max-w-xl text-lg text-slate-600">{t("lead")}</p>
          <div className="mt-8 max-w-xl rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <ConnectForm servers={b24Config().servers.map((s) => s.origin)} />
            <p className="mt-4 text-sm text-slate-500">{t("installedNote")}</p>
          </div>
        </section>
        <section aria-labelledby="next-steps" className="lg:pt-10">
          <h2 id="next-steps" className="text-sm font-semibold text-slate-900">
            {t("nextSteps")}
          </h2>
          <ol className="mt-4 space-y-5">
            {STEPS.map((step, i) => (
              <li key={step} className="flex gap-4">
                <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700">
                  {i + 1}
                </span>
                <div>
                  <p className="font-medium">{t(`steps.${step}.title`)}</p>
                  <p className="text-sm text-slate-600">{t(`steps.${step}.text`)}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>
      </main>
      <footer className="mx-auto w-full max-w-5xl px-6 py-6 text-xs text-slate-500">{t("footer")}</footer>
    </div>
  );
}
