import type { ButtonHTMLAttributes, ReactNode } from "react";
import { cx, focusRing } from "./cx";
import { SpinnerIcon } from "./loading";

export type ButtonVariant = "primary" | "secondary" | "danger" | "link";
export type ButtonSize = "sm" | "md" | "lg";

const variants: Record<ButtonVariant, string> = {
  primary: "bg-accent text-on-accent hover:bg-accent-hover",
  secondary: "border border-base-6 bg-surface text-base-1 hover:bg-surface-tertiary",
  danger: "border border-alert-border bg-alert-soft text-alert-content hover:border-alert",
  link: "text-link underline-offset-2 hover:underline",
};

/** b24 air button sizes: 28 / 34 / 38 px high, radius 8 / 10 / 10 px. */
const sizes: Record<ButtonSize, string> = {
  sm: "h-7 gap-1 rounded-sm px-2.5 text-sm",
  md: "h-[34px] gap-1.5 rounded-md px-3.5 text-base font-medium",
  lg: "h-[38px] gap-2 rounded-md px-4.5 text-lg font-medium",
};

/** The button look for other elements (a Next <Link> styled as a button). */
export function buttonClass({ variant = "primary", size = "md", className }: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}) {
  return cx(
    "inline-flex shrink-0 items-center justify-center whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60",
    focusRing,
    variant === "link" ? "gap-1 text-base font-medium" : sizes[size],
    variants[variant],
    className,
  );
}

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Busy: shows a spinner before the label, disables the button and sets aria-busy. */
  loading?: boolean;
  /** An icon before the label (decorative; the label names the button). */
  icon?: ReactNode;
};

export function Button({ variant = "primary", size = "md", loading = false, icon, type = "button", disabled, className, children, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      className={buttonClass({ variant, size, className })}
    >
      {loading ? <SpinnerIcon className="size-4" /> : icon}
      {children}
    </button>
  );
}
