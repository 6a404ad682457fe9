import type { ReactNode } from "react";
import { ErrorIcon, InfoIcon, SuccessIcon, WarningIcon } from "@/components/icons";
import { cx } from "./cx";

export type AlertTone = "error" | "warning" | "info" | "success";

const tones: Record<AlertTone, { box: string; icon: ReactNode }> = {
  error: { box: "border-alert-border bg-alert-soft text-alert-content", icon: <ErrorIcon className="size-5 shrink-0" /> },
  warning: { box: "border-warning-border bg-warning-soft text-warning-content", icon: <WarningIcon className="size-5 shrink-0" /> },
  info: { box: "border-info-border bg-info-soft text-info-content", icon: <InfoIcon className="size-5 shrink-0" /> },
  success: { box: "border-success-border bg-success-soft text-success-content", icon: <SuccessIcon className="size-5 shrink-0" /> },
};

/**
 * A message box. Errors are role="alert" (read out at once), the rest role="status" (read out politely);
 * `announce={false}` drops the role for a notice that is simply part of the page.
 */
export function Alert({
  tone = "info",
  title,
  action,
  announce = true,
  className,
  children,
}: {
  tone?: AlertTone;
  title?: ReactNode;
  /** A Button (e.g. retry) shown after the text. */
  action?: ReactNode;
  announce?: boolean;
  className?: string;
  children?: ReactNode;
}) {
  const { box, icon } = tones[tone];
  const role = announce ? (tone === "error" ? "alert" : "status") : undefined;
  return (
    <div role={role} className={cx("flex gap-3 rounded-lg border p-4 text-sm", box, className)}>
      {icon}
      <div className="min-w-0 flex-1 space-y-1">
        {title ? <p className="font-semibold">{title}</p> : null}
        {children ? <div>{children}</div> : null}
        {action ? <div className="pt-2">{action}</div> : null}
      </div>
    </div>
  );
}
