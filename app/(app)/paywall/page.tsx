import type { Metadata } from "next";
import Link from "next/link";
import { LicenceFacts } from "@/components/licence-facts";
import { licenceOf, marketCardUrl, type Licence } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export const metadata: Metadata = { title: "Licence" };
export const dynamic = "force-dynamic";

function why(l: Licence): string {
  if (l.allowed) return "The app's licence on this portal is active: every feature is open.";
  if (l.state === "expired") return l.status === "T" ? "The app's trial on this portal has ended." : "The app's licence on this portal has ended.";
  if (l.state === "demo") return "The app runs in demo mode on this portal: paid features need a licence.";
  return "The app's licence could not be confirmed with Bitrix24 yet.";
}

/** Where requireLicence sends a person whose portal has no usable licence (lib/bitrix24/licence.ts). */
export default async function PaywallPage() {
  const session = await requirePortalSession();
  const licence = await licenceOf(session.memberId);
  // The portal's Market card of the app (https://<portal>/market/detail/<CODE from app.info>/): where it is bought or renewed.
  const card = await marketCardUrl(session.memberId);
  const who = session.isAdmin ? "Buy or renew it" : "Ask a Bitrix24 administrator of your portal to buy or renew it";
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">{licence.allowed ? "Licence" : "This feature needs a licence"}</h1>
      <p className="mt-1 text-slate-600" role="status">{why(licence)}</p>
      <section aria-labelledby="licence-h" className="mt-8 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 id="licence-h" className="font-semibold">Licence on {session.portalHost}</h2>
        <dl className="mt-2 divide-y divide-slate-100 text-sm">
          <LicenceFacts licence={licence} />
        </dl>
      </section>
      {licence.allowed && !licence.expiring ? null : (
        <section aria-labelledby="todo-h" className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 text-sm shadow-sm">
          <h2 id="todo-h" className="font-semibold">What to do</h2>
          <p className="mt-2 text-slate-700">
            {who} in the Bitrix24 Market:{" "}
            {card ? (
              <a href={card} target="_blank" rel="noopener noreferrer" className="font-medium text-brand-700 hover:underline">
                the app&apos;s page in your portal&apos;s Market
              </a>
            ) : (
              <span className="font-medium">Applications → Market in your Bitrix24, then this app</span>
            )}
            .
          </p>
          <p className="mt-2 text-slate-700">
            After the payment Bitrix24 tells the app, which asks Bitrix24 again within a minute: reload this page or open the
            feature again, nothing else is needed.
          </p>
        </section>
      )}
      <p className="mt-6 text-sm">
        <Link href="/dashboard" className="font-medium text-brand-700 hover:underline">Back to the dashboard</Link>
      </p>
    </>
  );
}
