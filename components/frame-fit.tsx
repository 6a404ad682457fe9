"use client";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { currentFrameBridge, type Bridge } from "@/components/b24-frame";
import { usePortal } from "@/components/portal-context";

const noSubscription = () => () => {};

/** This page's frame bridge inside the portal, null standalone (the server renders the standalone case). */
export function useFrameBridge(): Bridge | null {
  const portal = usePortal();
  const framed = useSyncExternalStore(noSubscription, () => currentFrameBridge(portal.origin) !== null, () => false);
  return useMemo(() => (framed ? currentFrameBridge(portal.origin) : null), [framed, portal.origin]);
}

/** The content's own height: the document element's box, which (unlike scrollHeight) shrinks with the content. */
function contentHeight(): number {
  return Math.ceil(document.documentElement.getBoundingClientRect().height);
}

/**
 * Keeps the portal's iframe exactly as tall as the page (resizeWindow on every size change), so no scroll bar ever
 * shows inside the frame, which the Marketplace's rules forbid. Renders nothing; does nothing standalone. A slider
 * does not resize (the portal ignores the command there), so its page scrolls in the slider as any page would.
 */
export function FrameFit() {
  const bridge = useFrameBridge();
  useEffect(() => {
    if (!bridge) return;
    const root = document.documentElement;
    root.classList.add("in-frame");
    let last = -1;
    let raf = 0;
    const fit = () => {
      raf = 0;
      const height = contentHeight();
      if (height === last) return;
      last = height;
      bridge.send("resizeWindow", { width: "100%", height });
    };
    const observer = new ResizeObserver(() => {
      if (!raf) raf = requestAnimationFrame(fit);
    });
    observer.observe(document.body);
    fit();
    return () => {
      observer.disconnect();
      cancelAnimationFrame(raf);
      root.classList.remove("in-frame");
    };
  }, [bridge]);
  return null;
}
