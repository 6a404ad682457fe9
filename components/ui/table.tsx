import { useId, type ReactNode, type TdHTMLAttributes, type ThHTMLAttributes } from "react";
import { cx } from "./cx";

/**
 * A b24 grid: a white rounded panel, quiet header, divided rows. `caption` names the table for screen readers
 * (visible when `showCaption`). The panel scrolls sideways on narrow screens, so it is a focusable region named
 * by the caption: keyboards can scroll it too.
 */
export function Table({ caption, showCaption = false, className, children }: { caption: ReactNode; showCaption?: boolean; className?: string; children: ReactNode }) {
  const captionId = useId();
  return (
    <div role="region" aria-labelledby={captionId} tabIndex={0} className={cx("overflow-x-auto rounded-2xl bg-surface shadow-xs focus-visible:outline-2 focus-visible:outline-focus", className)}>
      <table className="w-full border-collapse text-left text-sm">
        <caption id={captionId} className={showCaption ? "px-4 pt-4 pb-2 text-left text-base font-semibold text-base-1" : "sr-only"}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return <thead className="border-b border-divider-accent bg-surface-secondary">{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-divider-default">{children}</tbody>;
}

export function TR({ className, children }: { className?: string; children: ReactNode }) {
  return <tr className={cx("hover:bg-surface-tertiary", className)}>{children}</tr>;
}

/** A header cell; `scope` defaults to "col". `numeric` right-aligns. */
export function TH({ numeric = false, scope = "col", className, ...rest }: ThHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean }) {
  return <th scope={scope} {...rest} className={cx("px-4 py-2.5 text-xs font-semibold whitespace-nowrap text-base-3", numeric && "text-right", className)} />;
}

/** A data cell; `numeric` right-aligns with tabular figures (amounts, counts). */
export function TD({ numeric = false, className, ...rest }: TdHTMLAttributes<HTMLTableCellElement> & { numeric?: boolean }) {
  return <td {...rest} className={cx("px-4 py-3 align-middle text-base-1", numeric && "text-right tabular-nums", className)} />;
}
