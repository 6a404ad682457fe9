import { NextIntlClientProvider } from "next-intl";
import manifest from "@/bitrix24.app";
import { AppHeader } from "@/components/app-header";
import { FrameFit } from "@/components/frame-fit";
import { PortalProvider } from "@/components/portal-context";
import { clientMessages } from "@/lib/i18n/client-messages";
import { sessionPortalOrigin } from "@/lib/bitrix24";
import { requirePortalSession } from "@/lib/session";

/** Signed-in pages depend on the request's session: never prerendered at build time, which has no secrets. */
export const dynamic = "force-dynamic";

/** Every signed-in page: one session guard, one header with the manifest's navigation, one container. */
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const session = await requirePortalSession();
  const portal = { host: session.portalHost, origin: await sessionPortalOrigin(session) };
  return (
    <NextIntlClientProvider messages={await clientMessages("app")}>
    <PortalProvider portal={portal}>
      <FrameFit />
      <div className="min-h-dvh">
        <AppHeader userName={session.name} pages={manifest.pages} />
        <main className="mx-auto max-w-5xl px-6 py-10">{children}</main>
      </div>
    </PortalProvider>
    </NextIntlClientProvider>
  );
}
