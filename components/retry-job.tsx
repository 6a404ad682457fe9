"use client";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { retryJob, type RetryError } from "@/lib/actions/inbox";

/** Puts a dead job back in the queue; the page then shows where it went. */
export function RetryJobButton({ id }: { id: string }) {
  const t = useTranslations("dashboard.retryJob");
  const router = useRouter();
  const [state, setState] = useState<{ busy: boolean; error?: RetryError }>({ busy: false });
  const onClick = async () => {
    setState({ busy: true });
    const r = await retryJob(id);
    setState({ busy: false, error: r.ok ? undefined : r.error });
    if (r.ok) router.refresh();
  };
  return (
    <span className="inline-flex items-center gap-2">
      <Button size="sm" onClick={() => void onClick()} loading={state.busy}>
        {t("retry")}
      </Button>
      {state.error ? <span role="alert" className="text-xs text-red-600">{t(`errors.${state.error}`)}</span> : null}
    </span>
  );
}
