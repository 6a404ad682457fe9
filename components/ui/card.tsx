import type { ReactNode } from "react";
import { useId } from "react";
import { cx } from "./cx";

/** A b24 content panel: surface colour, 16 px radius, no border. */
export function Card({ className, children }: { className?: string; children: ReactNode }) {
  return <div className={cx("rounded-2xl bg-surface p-6 shadow-xs", className)}>{children}</div>;
}

/** A titled panel: a <section> named by its heading, with optional description and actions beside the title. */
export function Section({
  title,
  description,
  actions,
  headingLevel = 2,
  className,
  children,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  headingLevel?: 2 | 3 | 4;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  const Heading = `h${headingLevel}` as const;
  return (
    <section aria-labelledby={id} className={cx("rounded-2xl bg-surface p-6 shadow-xs", className)}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <Heading id={id} className="text-xl font-semibold text-base-1">
            {title}
          </Heading>
          {description ? <p className="mt-1 text-sm text-base-2">{description}</p> : null}
        </div>
        {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
      </div>
      <div className="mt-4">{children}</div>
    </section>
  );
}
