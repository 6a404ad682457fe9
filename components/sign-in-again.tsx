"use client";
import { signIn, signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, useSyncExternalStore } from "react";
import { currentFrameBridge } from "@/components/b24-frame";
import { Button } from "@/components/ui/button";

export interface PortalRef {
  /** The signed-in person's portal host, as the session names it. */
  host: string;
  /** Its origin from the stored, OAuth-server-vouched REST address; the frame bridge talks only to it. */
  origin: string | null;
  /** The page is a placement (a tab in a Bitrix24 screen), where the portal refuses reloadWindow. */
  inPlacement?: boolean;
}

/**
 * The way back from `needs_reauth`. Standalone: sign out, then start sign-in for the same portal and come back
 * here. Inside the portal's frame: ask the portal to reload the page (reloadWindow), which opens the app again
 * with fresh tokens from Bitrix24; signing in from inside a third-party frame would not work. A placement may not
 * reload the portal's page, so it opens the app in a slider (a fresh frame POST stores a fresh connection) and
 * reloads itself when the slider closes.
 */
const noSubscription = () => () => {};

export function SignInAgainButton({ portal, className }: { portal: PortalRef; className?: string }) {
  // The server renders the standalone label; the browser knows whether it runs inside the portal's frame.
  const framed = useSyncExternalStore(noSubscription, () => currentFrameBridge(portal.origin) !== null, () => false);
  const [busy, setBusy] = useState(false);
  const t = useTranslations("common");

  const onClick = async () => {
    setBusy(true);
    const bridge = currentFrameBridge(portal.origin);
    if (bridge && portal.inPlacement) {
      await bridge.call("openApplication", { bx24_title: t("reconnect") }).catch(() => undefined);
      return window.location.reload();
    }
    if (bridge) return bridge.send("reloadWindow");
    await signOut({ redirect: false });
    await signIn("bitrix24", { callbackUrl: window.location.pathname }, { portal: portal.host });
  };

  return (
    <Button onClick={() => void onClick()} loading={busy} className={className}>
      {framed ? t("openAppAgain") : t("signInAgain")}
    </Button>
  );
}
