"use client";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState } from "react";
import { frameBridge, readFrameName } from "@/components/b24-frame";
import { bindEvents, type BindFailure } from "@/lib/actions/install";
import { errorDetail } from "@/lib/error-messages";

/** `outside_frame`: the page was opened directly, where installFinish cannot reach Bitrix24. */
type Failure = BindFailure | { kind: "outside_frame" };
type Step = { phase: "binding" | "finishing" | "done" } | { phase: "failed"; failure: Failure };

/** Runs the installer's steps once: bind events (server action), then installFinish through the frame bridge. */
export function InstallRunner({ portalOrigin, sid }: { portalOrigin: string; sid: string | null }) {
  const t = useTranslations();
  const [step, setStep] = useState<Step>({ phase: "binding" });
  const [events, setEvents] = useState<string[]>([]);
  const [placements, setPlacements] = useState<string[]>([]);
  const [robots, setRobots] = useState<string[]>([]);
  const started = useRef(false);

  const run = useCallback(async () => {
    setStep({ phase: "binding" });
    const bound = await bindEvents();
    if (!bound.ok) return setStep({ phase: "failed", failure: bound.failure });
    setEvents([...bound.bound, ...bound.already]);
    setPlacements(bound.placements);
    setRobots(bound.robots);
    const appSid = readFrameName(window.name)?.appSid ?? sid;
    if (window.parent === window || !appSid) return setStep({ phase: "failed", failure: { kind: "outside_frame" } });
    setStep({ phase: "finishing" });
    // Bitrix24 never answers setInstallFinish: it marks the app installed and reloads its own page, which opens the app.
    frameBridge(portalOrigin, appSid).send("setInstallFinish");
    setStep({ phase: "done" });
  }, [portalOrigin, sid]);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void run();
  }, [run]);

  const failureText = (f: Failure) =>
    f.kind === "not_admin" ? t("install.notAdmin") : f.kind === "outside_frame" ? t("install.outsideFrame") : t(`errors.${f.code}.text`);
  const detail = step.phase === "failed" && step.failure.kind === "error" ? errorDetail(step.failure.code, step.failure.detail) : null;

  return (
    <div className="space-y-4">
      {step.phase === "failed" ? (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-700">
          <p className="font-semibold">{t("install.failed")}</p>
          <p className="mt-1">{failureText(step.failure)}</p>
          {detail ? (
            <p className="mt-1 text-xs break-words">
              {t("common.details")} <span translate="no">{detail}</span>
            </p>
          ) : null}
          <button type="button" onClick={() => void run()} className="mt-3 rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            {t("common.tryAgain")}
          </button>
        </div>
      ) : (
        <p role="status" aria-live="polite" data-phase={step.phase} className="text-slate-700">
          {t(`install.phase.${step.phase}`)}
        </p>
      )}
      {placements.length ? (
        <p className="text-sm text-slate-500">
          {t("install.placementsBound")} <span translate="no" data-testid="bound-placements">{placements.join(", ")}</span>
        </p>
      ) : null}
      {robots.length ? (
        <p className="text-sm text-slate-500">
          {t("install.robotsRegistered")} <span translate="no" data-testid="registered-robots">{robots.join(", ")}</span>
        </p>
      ) : null}
      {events.length ? (
        <p className="text-sm text-slate-500">
          {t("install.eventsBound")} <span translate="no" data-testid="bound-events">{events.join(", ")}</span>
        </p>
      ) : null}
    </div>
  );
}
