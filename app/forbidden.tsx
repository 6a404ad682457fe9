import Link from "next/link";

/** Rendered with HTTP 403 by forbidden() (admin-only pages for non-admins). */
export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <h1 className="text-2xl font-bold tracking-tight">403 · Administrators only</h1>
      <p role="alert" className="mt-3 text-slate-700">
        This page is only for Bitrix24 administrators of your portal. Ask an administrator if something looks wrong.
      </p>
      <p className="mt-6">
        <Link href="/dashboard" className="font-medium text-brand-700 hover:underline">
          Back to the dashboard
        </Link>
      </p>
    </main>
  );
}
