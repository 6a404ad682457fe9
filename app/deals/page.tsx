import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { DealsView } from "@/components/deals-view";
import { getPortalSession } from "@/lib/auth";
import { sessionPortalOrigin } from "@/lib/bitrix24/lifecycle/frame";

export const metadata: Metadata = { title: "Deals" };
export const dynamic = "force-dynamic";

export default async function DealsPage() {
  const session = await getPortalSession();
  if (!session) redirect("/");
  return (
    <div className="min-h-dvh">
      <AppHeader userName={session.name} current="/deals" />
      <main className="mx-auto max-w-5xl px-6 py-10">
        <h1 className="text-2xl font-bold tracking-tight">Deals</h1>
        <p className="mt-1 text-slate-600">Your CRM deals on {session.portalHost}, read and created live through Bitrix24&apos;s REST API.</p>
        <div className="mt-8">
          <DealsView portal={{ host: session.portalHost, origin: await sessionPortalOrigin(session) }} />
        </div>
      </main>
    </div>
  );
}
