"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { frameBridge, readFrameName } from "@/components/b24-frame";
import { bindEvents } from "@/lib/actions/install";

type Step = { phase: "binding" | "finishing" | "done" } | { phase: "failed"; error: string };

const LABEL: Record<Exclude<Step["phase"], "failed">, string> = {
  binding: "Connecting the app's event handlers…",
  finishing: "Telling Bitrix24 the installation is complete…",
  done: "Installation finished. Bitrix24 is opening the app…",
};

/** Runs the installer's steps once: bind events (server action), then installFinish through the frame bridge. */
export function InstallRunner({ portalOrigin, sid }: { portalOrigin: string; sid: string | null }) {
  const [step, setStep] = useState<Step>({ phase: "binding" });
  const [events, setEvents] = useState<string[]>([]);
  const [placements, setPlacements] = useState<string[]>([]);
  const [robots, setRobots] = useState<string[]>([]);
  const started = useRef(false);

  const run = useCallback(async () => {
    setStep({ phase: "binding" });
    const bound = await bindEvents();
    if (!bound.ok) return setStep({ phase: "failed", error: bound.error });
    setEvents([...bound.bound, ...bound.already]);
    setPlacements(bound.placements);
    setRobots(bound.robots);
    const appSid = readFrameName(window.name)?.appSid ?? sid;
    if (window.parent === window || !appSid) {
      return setStep({ phase: "failed", error: "This page must run inside Bitrix24. Open the app from your Bitrix24 to finish the installation." });
    }
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

  return (
    <div className="space-y-4">
      {step.phase === "failed" ? (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-700">
          <p className="font-semibold">Installation did not finish</p>
          <p className="mt-1">{step.error}</p>
          <button type="button" onClick={() => void run()} className="mt-3 rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Try again
          </button>
        </div>
      ) : (
        <p role="status" aria-live="polite" data-phase={step.phase} className="text-slate-700">
          {LABEL[step.phase]}
        </p>
      )}
      {placements.length ? (
        <p className="text-sm text-slate-500">
          Placements bound: <span data-testid="bound-placements">{placements.join(", ")}</span>
        </p>
      ) : null}
      {robots.length ? (
        <p className="text-sm text-slate-500">
          Robots registered: <span data-testid="registered-robots">{robots.join(", ")}</span>
        </p>
      ) : null}
      {events.length ? (
        <p className="text-sm text-slate-500">
          Events bound: <span data-testid="bound-events">{events.join(", ")}</span>
        </p>
      ) : null}
    </div>
  );
}
