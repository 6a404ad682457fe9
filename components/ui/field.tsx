import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { cx } from "./cx";

/** What Field hands its control so the label, hint and error are announced with it. */
export type FieldControlProps = { id: string; "aria-describedby"?: string; "aria-invalid"?: true };

/**
 * Label + control + hint + error, wired together:
 *   <Field label={t("title")} hint={t("titleHint")} error={errors.title}>{(p) => <Input {...p} name="title" />}</Field>
 */
export function Field({
  label,
  hint,
  error,
  id,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  /** The control's id; generated when absent. */
  id?: string;
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cx("space-y-1", className)}>
      <label htmlFor={controlId} className="block text-sm font-medium text-base-1">
        {label}
      </label>
      {children({ id: controlId, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint ? (
        <p id={hintId} className="text-xs text-base-3">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-xs font-medium text-alert-content">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** b24 air input: 34 px, radius 10, grey stroke, accent stroke on focus, alert stroke when aria-invalid. */
const control =
  "block w-full rounded-md border border-base-5 bg-surface px-3 text-base text-base-1 placeholder:text-base-4 " +
  "focus-visible:border-focus focus-visible:ring-1 focus-visible:ring-focus focus-visible:outline-none " +
  "disabled:cursor-not-allowed disabled:bg-surface-tertiary disabled:text-base-3 aria-invalid:border-alert";

export function Input({ className, ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...rest} className={cx(control, "h-[34px]", className)} />;
}

export function Select({ className, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...rest} className={cx(control, "h-[34px] pr-8", className)} />;
}

export function Textarea({ className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea {...rest} className={cx(control, "min-h-20 py-2", className)} />;
}
