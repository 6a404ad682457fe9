"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormFooter } from "@/components/form-footer";
import { saveBucketChoice } from "@/lib/actions/settings";
import type { BucketChoice, PortalBucket } from "@/lib/bitrix24";

const NAMES: Record<BucketChoice, string> = { default: "Deployment default", standard: "Standard", enterprise: "Enterprise" };

/** Administrators only (the page does not render it for others, and the action refuses them). */
export function BucketSetting({ bucket }: { bucket: PortalBucket }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(form: FormData) {
    setPending(true);
    setMessage(null);
    try {
      const saved = await saveBucketChoice(form.get("bucket"));
      setMessage(saved.ok ? { ok: true, text: `Applied: every app instance uses it within ${bucket.takesEffectSec} seconds.` } : { ok: false, text: saved.error });
      if (saved.ok) router.refresh();
    } catch {
      setMessage({ ok: false, text: "The setting could not be saved. Try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="bucket-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="bucket-h" className="font-semibold">Request bucket</h2>
      <p className="mt-1 text-sm text-slate-600">
        Bitrix24 limits REST requests per portal by plan. The app paces its calls to this bucket, and slows down on its own
        when other apps on the portal use it too. A change reaches every app instance within {bucket.takesEffectSec} seconds.
      </p>
      <form action={save} className="mt-4 space-y-4">
        <fieldset>
          <legend className="sr-only">Bucket for this portal</legend>
          {bucket.options.map((o) => (
            <label key={o.choice} className="flex items-center gap-2 py-1 text-sm text-slate-700">
              <input type="radio" name="bucket" value={o.choice} defaultChecked={bucket.choice === o.choice} className="accent-brand-600" />
              {NAMES[o.choice]} ({o.burst} burst, {o.perSec}/s)
            </label>
          ))}
        </fieldset>
        {bucket.share < 1 ? (
          <p className="text-sm text-amber-700">
            Slowed down to {Math.round(bucket.share * 100)}% of it: Bitrix24 answered that the portal&apos;s limit was reached
            (another app or integration uses it too). It grows back on its own once the limit is no longer hit.
          </p>
        ) : null}
        {bucket.choice === "custom" ? (
          <p className="text-sm text-slate-500">Now: a custom bucket of {bucket.current.burst} burst, {bucket.current.perSec}/s.</p>
        ) : null}
        {/* "Apply", not "Save": the option forms above own the page's Save buttons and their "Saved." line. */}
        <FormFooter pending={pending} label="Apply" pendingLabel="Applying…" message={message} />
      </form>
    </section>
  );
}
