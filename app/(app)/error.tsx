"use client";

/** A page under the signed-in layout failed on the server: say so, offer a retry; the details stay in the server log. */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-2xl border border-red-200 bg-red-50 p-6 text-red-800">
      <h1 className="text-lg font-semibold">This page could not be shown</h1>
      <p className="mt-1 text-sm">Something went wrong on our side. Try again; if it keeps happening, sign out and in again.</p>
      <button type="button" onClick={reset} className="mt-4 rounded-md bg-white px-3 py-1.5 text-sm font-medium ring-1 ring-red-200 hover:bg-red-100">
        Try again
      </button>
    </div>
  );
}
