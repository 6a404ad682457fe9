import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { OpenSettings } from "@/components/open-settings";
import { dashboardData } from "@/lib/dashboard";
import { requirePortalSession } from "@/lib/session";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-sm font-medium break-words text-slate-900 sm:col-span-2 sm:mt-0">{children}</dd>
    </div>
  );
}

function formatExpiry(expiresAt: Date): string {
  const minutes = Math.round((expiresAt.getTime() - Date.now()) / 60_000);
  const when = expiresAt.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return minutes > 0 ? `${when} (in ${minutes} min)` : `${when} (expired; renewed automatically on the next call)`;
}

export default async function Dashboard() {
  const session = await requirePortalSession();
  const data = await dashboardData(session);
  if (!data) redirect("/auth/error?error=SessionRequired");
  const { portal, user, tokens, scopes, lastDeal, lastUpdate } = data;
  return (
    <>
        <h1 className="text-2xl font-bold tracking-tight">Welcome, {user.name}</h1>
        <p className="mt-1 text-slate-600">
          Connected to <span className="font-medium text-slate-900">{portal.domain}</span>
        </p>
        {user.isAdmin && session.isAdmin ? (
          <p className="mt-3 text-sm">
            <Link href="/doctor" className="font-medium text-brand-700 hover:underline">
              Install doctor
            </Link>{" "}
            <span className="text-slate-500">checks the installation, permissions, events and tokens.</span>
          </p>
        ) : null}
        <p className="mt-3 text-sm">
          <OpenSettings /> <span className="text-slate-500">for you and, as an administrator, for the whole portal.</span>
        </p>
        <div className="mt-8 grid gap-6 lg:grid-cols-2">
          <section aria-labelledby="portal-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 id="portal-h" className="font-semibold">Portal</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label="Address">{portal.domain}</Field>
              <Field label="Member ID">
                <code className="text-xs">{portal.memberId}</code>
              </Field>
              <Field label="Status">
                <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-700">{portal.status}</span>
              </Field>
              <Field label="Scopes">
                {scopes.length ? (
                  <ul className="flex flex-wrap gap-1.5" aria-label="Granted scopes">
                    {scopes.map((s) => (
                      <li key={s} className="rounded-md bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                        {s}
                      </li>
                    ))}
                  </ul>
                ) : (
                  "none reported"
                )}
              </Field>
            </dl>
          </section>
          <section aria-labelledby="user-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 id="user-h" className="font-semibold">You</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label="Name">{user.name}</Field>
              <Field label="Email">{user.email ?? "not shared"}</Field>
              <Field label="Bitrix24 user ID">{user.bitrixUserId}</Field>
              <Field label="Role">{user.isAdmin ? "Portal administrator" : "User"}</Field>
              <Field label="Access token expires">{tokens ? formatExpiry(tokens.expiresAt) : "no token stored"}</Field>
            </dl>
          </section>
          <section aria-labelledby="events-h" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm lg:col-span-2">
            <h2 id="events-h" className="font-semibold">From Bitrix24&apos;s events</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              <Field label="Last deal added">
                {lastDeal === "unknown" ? "unknown (Bitrix24 could not be asked just now)" : lastDeal ? `#${lastDeal.id} ${lastDeal.title}` : "none yet: create a deal in Bitrix24 or on the Deals page"}
              </Field>
              <Field label="Last deal changed (offline event)">
                {lastUpdate === "unknown" ? "unknown (Bitrix24 could not be asked just now)" : lastUpdate ? `#${lastUpdate.id} ${lastUpdate.title}` : "none yet: change a deal in Bitrix24 or on the Deals page"}
              </Field>
            </dl>
          </section>
        </div>
    </>
  );
}
