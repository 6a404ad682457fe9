import { cx } from "./cx";

/** A spinning ring; decorative on its own (inside a Button or a Spinner that names it). */
export function SpinnerIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" aria-hidden="true" focusable="false" className={cx("size-[1em] motion-safe:animate-spin", className)}>
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.25" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
}

/** A spinner announced as `label` (e.g. the localised "Loading deals…"); `showLabel` also shows the text. */
export function Spinner({ label, showLabel = false, className }: { label: string; showLabel?: boolean; className?: string }) {
  return (
    <div role="status" className={cx("inline-flex items-center gap-2 text-sm text-base-3", className)}>
      <SpinnerIcon className="size-5 text-accent" />
      <span className={showLabel ? undefined : "sr-only"}>{label}</span>
    </div>
  );
}

/** Grey placeholder bars while content loads, announced once as `label`. */
export function Skeleton({ label, lines = 3, className }: { label: string; lines?: number; className?: string }) {
  return (
    <div role="status" className={cx("space-y-3", className)}>
      <span className="sr-only">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} aria-hidden="true" className={cx("h-4 rounded-sm bg-base-7 motion-safe:animate-pulse", i === lines - 1 && lines > 1 ? "w-2/3" : "w-full")} />
      ))}
    </div>
  );
}
