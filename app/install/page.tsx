import type { Metadata } from "next";
import { Brand } from "@/components/brand";
import { FrameFit } from "@/components/frame-fit";
import { InstallRunner } from "@/components/install-runner";
import { PortalProvider } from "@/components/portal-context";
import { getPortalSession } from "@/lib/auth";
import { sessionPortalOrigin } from "@/lib/bitrix24";

export const metadata: Metadata = { title: "Installing" };
export const dynamic = "force-dynamic";

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto max-w-xl px-6 py-10">
      <Brand />
      <h1 className="mt-6 text-2xl font-bold tracking-tight">Installing the app</h1>
      <div className="mt-4">{children}</div>
    </main>
  );
}

/** The installer's page inside the portal's frame; the install URL sends the admin here with a fresh session. */
export default async function InstallPage({ searchParams }: { searchParams: Promise<{ sid?: string }> }) {
  const session = await getPortalSession();
  const origin = session?.isAdmin ? await sessionPortalOrigin(session) : null;
  if (!session || !origin) {
    return (
      <Shell>
        <p role="alert" className="text-slate-700">
          Only a Bitrix24 administrator can install this app, from inside Bitrix24. Open the app from your Bitrix24.
        </p>
      </Shell>
    );
  }
  const { sid } = await searchParams;
  return (
    <PortalProvider portal={{ host: session.portalHost, origin }}>
      <FrameFit />
      <Shell>
        <p className="mb-4 text-slate-600">Signed in as {session.name}, administrator of {session.portalHost}.</p>
        <InstallRunner portalOrigin={origin} sid={typeof sid === "string" && /^[A-Za-z0-9]{1,64}$/.test(sid) ? sid : null} />
      </Shell>
    </PortalProvider>
  );
}
