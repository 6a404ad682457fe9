import { Button } from "@/components/ui";

/** A create form's submit button and its outcome line (status on success, alert on failure). */
export function FormFooter({ pending, label, pendingLabel, message }: { pending: boolean; label: string; pendingLabel: string; message: { ok: boolean; text: string } | null }) {
  return (
    <>
      <Button type="submit" loading={pending} className="w-full">
        {pending ? pendingLabel : label}
      </Button>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-emerald-700" : "text-sm text-red-600"}>
          {message.text}
        </p>
      ) : null}
    </>
  );
}
