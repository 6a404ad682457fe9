"use server";
import { b24Config } from "@/lib/bitrix24/config";
import { checkPortalInput, HOST_ERROR_TEXT } from "@/lib/bitrix24/hosts";

export type ConnectState = { ok: true; host: string } | { ok: false; error: string } | null;

/** Checks the typed portal with the server's accepted-host rules before the browser is sent anywhere. */
export async function checkPortal(_prev: ConnectState, formData: FormData): Promise<ConnectState> {
  const raw = formData.get("portal");
  const check = checkPortalInput(typeof raw === "string" ? raw : "", b24Config().hostPolicy);
  return check.ok ? { ok: true, host: check.host } : { ok: false, error: HOST_ERROR_TEXT[check.reason] };
}
