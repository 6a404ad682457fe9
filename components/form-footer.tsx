/** A create form's submit button and its outcome line (status on success, alert on failure). */
export function FormFooter({ pending, label, pendingLabel, message }: { pending: boolean; label: string; pendingLabel: string; message: { ok: boolean; text: string } | null }) {
  return (
    <>
      <button type="submit" disabled={pending} className="w-full rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? pendingLabel : label}
      </button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-emerald-700" : "text-sm text-red-600"}>
          {message.text}
        </p>
      ) : null}
    </>
  );
}
