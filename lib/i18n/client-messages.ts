import "server-only";
import { getMessages } from "next-intl/server";
import type { Messages } from "./messages";

/**
 * Which messages reach the browser. Server components translate on the server and send only text; client components
 * ("use client") need their messages in the page. Everything passed here is serialised into every page of the area,
 * so each area gets only what its client components read (client-messages.test.ts fails when one reads a namespace
 * missing here). A signed-out page never carries a signed-in page's words.
 */
export const CLIENT_NAMESPACES = {
  public: ["common", "errors", "landing", "install"],
  app: ["common", "errors", "deals", "contacts", "dealTab", "settings", "bucket", "dashboard.retryJob"],
} as const satisfies Record<string, readonly string[]>;

export type ClientArea = keyof typeof CLIENT_NAMESPACES;

type Tree = { [key: string]: unknown };

function pick(all: Tree, path: string, into: Tree): void {
  const [head, ...rest] = path.split(".");
  const value = all[head!];
  if (value === undefined) return;
  if (!rest.length) {
    into[head!] = value;
    return;
  }
  const child = (into[head!] ??= {}) as Tree;
  pick(value as Tree, rest.join("."), child);
}

export function pickMessages(all: Messages, area: ClientArea): Partial<Messages> {
  const out: Tree = {};
  for (const path of CLIENT_NAMESPACES[area]) pick(all as unknown as Tree, path, out);
  return out as Partial<Messages>;
}

export async function clientMessages(area: ClientArea): Promise<Partial<Messages>> {
  return pickMessages((await getMessages()) as Messages, area);
}
