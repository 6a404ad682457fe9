import { useTranslations } from "next-intl";
import { RICH } from "@/components/rich-tags";
import { Badge } from "@/components/ui";
import { SignInAgainButton, type PortalRef } from "@/components/sign-in-again";
import type { Problem } from "@/lib/bitrix24/lifecycle/doctor";

/** The doctor's findings, each with the one thing to do about it (lib/bitrix24/lifecycle/doctor.ts). */
export function Problems({ problems, portal }: { problems: Problem[]; portal: PortalRef }) {
  const t = useTranslations("doctor");
  return (
    <section aria-labelledby="problems-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="problems-h" className="font-semibold">{t("problemsFound", { count: problems.length })}</h2>
      <ul className="mt-3 space-y-3" aria-label={t("problems")}>
        {problems.map((p, i) => {
          const values = { ...p.values, ...RICH, connection: p.connection ? t(`connection.${p.connection}`) : "" };
          return (
            <li key={`${p.code}-${i}`} data-severity={p.severity} className="rounded-lg border border-slate-100 p-3 text-sm">
              <p className={p.severity === "error" ? "font-medium text-red-700" : "font-medium text-amber-700"}>
                <Badge tone={p.severity === "error" ? "alert" : "warning"} className="mr-2 align-middle">{t(`severity.${p.severity}`)}</Badge>
                {t.rich(`problem.${p.code}`, values)}
              </p>
              <p className="mt-1 text-slate-700">
                {t("whatToDo")} {t.rich(`fix.${p.fix}`, values)}
              </p>
              {p.action === "sign_in_again" ? (
                <div className="mt-2">
                  <SignInAgainButton portal={portal} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
