"use client";
import { createContext, useContext } from "react";
import type { PortalRef } from "@/components/sign-in-again";

/** The signed-in person's portal, given once by the signed-in layout to every page and component below it. */
const PortalContext = createContext<PortalRef | null>(null);

export function PortalProvider({ portal, children }: { portal: PortalRef; children: React.ReactNode }) {
  return <PortalContext.Provider value={portal}>{children}</PortalContext.Provider>;
}

export function usePortal(): PortalRef {
  const portal = useContext(PortalContext);
  if (!portal) throw new Error("usePortal() needs the signed-in layout (app/(app)/layout.tsx) above it.");
  return portal;
}
