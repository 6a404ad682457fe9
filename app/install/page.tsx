import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Brand } from "@/components/brand";
import { FrameFit } from "@/components/frame-fit";
import { InstallRunner } from "@/components/install-runner";
import { PortalProvider } from "@/components/portal-context";
import { getPortalSession } from "@/lib/auth";
import { sessionPortalOrigin } from "@/lib/bitrix24";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("install");
  return { title: t("metaTitle") };
}
export const dynamic = "force-dynamic";

async function Shell({ children }: { children: React.ReactNode }) {
  const t = await getTranslations("install");
  return (
    <main className="mx-auto max-w-xl px-6 py-10">
      <Brand />
      <h1 className="mt-6 text-2xl font-bold tracking-tight">{t("heading")}</h1>
      <div className="mt-4">{children}</div>
    </main>
  );
}

/** The installer's page inside the portal's frame; the install URL sends the admin here with a fresh session. */
export default async function InstallPage({ searchParams }: { searchParams: Promise<{ sid?: string }> }) {
  const session = await getPortalSession();
  const origin = session?.isAdmin ? await sessionPortalOrigin(session) : null;
  const t = await getTranslations("install");
  if (!session || !origin) {
    return (
      <Shell>
        <p role="alert" className="text-slate-700">
          {t("adminOnly")}
        </p>
      </Shell>
    );
  }
  const { sid } = await searchParams;
  return (
    <PortalProvider portal={{ host: session.portalHost, origin }}>
      <FrameFit />
      <Shell>
        <p className="mb-4 text-slate-600">
          {t.rich("signedInAs", {
            name: session.name,
            host: session.portalHost,
            // The person's name and the portal's host are data: never translated.
            data: (chunks) => <span translate="no">{chunks}</span>,
          })}
        </p>
        <InstallRunner portalOrigin={origin} sid={typeof sid === "string" && /^[A-Za-z0-9]{1,64}$/.test(sid) ? sid : null} />
      </Shell>
    </PortalProvider>
  );
}
