import type { ReactNode } from "react";
import { cx } from "./cx";

export type BadgeTone = "success" | "warning" | "alert" | "info" | "neutral";

const tones: Record<BadgeTone, string> = {
  success: "bg-success-soft text-success-content",
  warning: "bg-warning-soft text-warning-content",
  alert: "bg-alert-soft text-alert-content",
  info: "bg-info-soft text-info-content",
  neutral: "bg-base-7 text-base-2",
};

/** A short status label; the colour only repeats what the text says. */
export function Badge({ tone = "neutral", icon, className, children }: { tone?: BadgeTone; icon?: ReactNode; className?: string; children: ReactNode }) {
  return (
    <span className={cx("inline-flex items-center gap-1 rounded-pill px-2 py-0.5 text-xs font-semibold whitespace-nowrap", tones[tone], className)}>
      {icon}
      {children}
    </span>
  );
}
