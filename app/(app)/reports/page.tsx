import type { Metadata } from "next";
import Link from "next/link";
import { requireLicence } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export const metadata: Metadata = { title: "Reports" };
export const dynamic = "force-dynamic";

/**
 * An example paid-only page: requireLicence sends anyone whose portal has no usable licence to /paywall before
 * anything here runs. Gate a page the same way with one line; a route handler passes `{ onRefused: "throw" }`.
 */
export default async function ReportsPage() {
  const session = await requirePortalSession();
  const licence = await requireLicence(session);
  return (
    <>
      <h1 className="text-2xl font-bold tracking-tight">Reports</h1>
      <p className="mt-1 text-slate-600">A paid feature of the app, open because the licence on {session.portalHost} is {licence.state}.</p>
      {licence.expiring ? (
        <p role="status" className="mt-4 rounded-lg bg-amber-50 p-3 text-sm text-amber-800">
          The licence ends soon{licence.daysLeft !== null && licence.daysLeft < 0 ? " (in its grace period)" : ""}: see the{" "}
          <Link href="/paywall" className="font-medium underline">licence page</Link>.
        </p>
      ) : null}
    </>
  );
}
