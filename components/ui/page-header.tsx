import type { ReactNode } from "react";
import { cx } from "./cx";

/** The page's title (its only h1), a line about it, and the page's main actions on the right. */
export function PageHeader({ title, description, actions, className }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <div className={cx("mb-6 flex flex-wrap items-end justify-between gap-4", className)}>
      <div className="min-w-0">
        <h1 className="text-3xl font-semibold tracking-tight text-base-1">{title}</h1>
        {description ? <p className="mt-1 text-base text-base-2">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}
