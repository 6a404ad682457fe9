import type { Metadata } from "next";
import { DealsView } from "@/components/deals-view";
import { requirePortalSession } from "@/lib/session";

export const metadata: Metadata = { title: "Deals" };
export const dynamic = "force-dynamic";

export default async function DealsPage() {
  const session = await requirePortalSession();
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">Deals</h1>
      <p className="mt-1 text-slate-600">Your CRM deals on {session.portalHost}, read and created live through Bitrix24&apos;s REST API.</p>
      <div className="mt-8">
        <DealsView />
      </div>
    </>
  );
}
