import type { ReactNode } from "react";
import { cx } from "./cx";

/** Nothing to show yet: a quiet icon, a title, a sentence and what to do about it. */
export function EmptyState({
  icon,
  title,
  action,
  headingLevel = 2,
  className,
  children,
}: {
  /** A decorative icon (components/icons), drawn large and grey. */
  icon?: ReactNode;
  title: ReactNode;
  /** A Button or link. */
  action?: ReactNode;
  headingLevel?: 2 | 3 | 4;
  className?: string;
  children?: ReactNode;
}) {
  const Heading = `h${headingLevel}` as const;
  return (
    <div className={cx("flex flex-col items-center px-6 py-12 text-center", className)}>
      {icon ? <div className="mb-4 grid size-14 place-items-center rounded-full bg-surface-tertiary text-3xl text-base-4">{icon}</div> : null}
      <Heading className="text-lg font-semibold text-base-1">{title}</Heading>
      {children ? <div className="mt-1 max-w-md text-sm text-base-2">{children}</div> : null}
      {action ? <div className="mt-5">{action}</div> : null}
    </div>
  );
}
