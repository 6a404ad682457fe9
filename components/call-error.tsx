"use client";
import { useTranslations } from "next-intl";
import type { B24CallError } from "@/components/b24-client";
import { SignInAgainButton, type PortalRef } from "@/components/sign-in-again";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorDetail, errorMessageCode } from "@/lib/error-messages";

/**
 * How a failed Bitrix24 call is shown: what happened in the page's language (errors.<code>.text), the server's own
 * words as a detail when they add something (data: the JSON body stays English, and Bitrix24's own error text is in
 * the portal's language), and the one thing that gets the person out of it. A dead connection (`needs_reauth`) offers "Sign in again"; anything else
 * offers the retry the caller passes.
 */
export function CallError({ title, error, portal, onRetry }: { title: string; error: B24CallError; portal: PortalRef; onRetry?: () => void }) {
  const t = useTranslations();
  const text = t(`errors.${errorMessageCode(error.code)}.text`);
  const detail = errorDetail(error.code, error.message);
  return (
    <Alert
      tone="error"
      title={title}
      className="m-6"
      action={
        error.code === "needs_reauth" ? (
          <SignInAgainButton portal={portal} />
        ) : onRetry ? (
          <Button variant="secondary" onClick={onRetry}>
            {t("common.tryAgain")}
          </Button>
        ) : null
      }
    >
      <p>{text}</p>
      {detail ? (
        <p className="mt-1 text-xs break-words">
          {t("common.details")} <span translate="no">{detail}</span>
        </p>
      ) : null}
    </Alert>
  );
}
