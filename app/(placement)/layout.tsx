import { NextIntlClientProvider } from "next-intl";
import { FrameFit } from "@/components/frame-fit";
import { PortalProvider } from "@/components/portal-context";
import { clientMessages } from "@/lib/i18n/client-messages";
import { sessionPortalOrigin } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

export const dynamic = "force-dynamic";

/**
 * Pages a placement opens inside a Bitrix24 screen (a deal card's tab…): the same session guard as every signed-in
 * page, no app header (the portal's screen is the frame), and the iframe sized to the content.
 */
export default async function PlacementLayout({ children }: { children: React.ReactNode }) {
  const session = await requirePortalSession();
  const portal = { host: session.portalHost, origin: await sessionPortalOrigin(session), inPlacement: true };
  return (
    <NextIntlClientProvider messages={await clientMessages("app")}>
    <PortalProvider portal={portal}>
      <FrameFit />
      <main className="px-4 py-4">{children}</main>
    </PortalProvider>
    </NextIntlClientProvider>
  );
}
