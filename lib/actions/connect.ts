"use server";
import { b24Config } from "@/lib/bitrix24";
import { checkPortalInput, hostErrorText } from "@/lib/http/hosts";

export type ConnectState = { ok: true; host: string } | { ok: false; error: string } | null;

/** Checks the typed portal with the server's accepted-host rules before the browser is sent anywhere. */
export async function checkPortal(_prev: ConnectState, formData: FormData): Promise<ConnectState> {
  const raw = formData.get("portal");
  const policy = b24Config().hostPolicy;
  const check = checkPortalInput(typeof raw === "string" ? raw : "", policy);
  return check.ok ? { ok: true, host: check.host } : { ok: false, error: hostErrorText(check.reason, policy) };
}
