"use server";
import { b24Config } from "@/lib/bitrix24";
import { checkPortalInput, hostError, type HostError } from "@/lib/http/hosts";

/** A refusal names its landing.hostError message; the form words it in the page's language. */
export type ConnectState = { ok: true; host: string; server: string } | { ok: false; error: HostError } | null;

/**
 * Checks the typed portal with the server's accepted-host rules (the allow-list: a person typed it) before the
 * browser is sent anywhere, and keeps the picked region only when it names a configured OAuth server.
 */
export async function checkPortal(_prev: ConnectState, formData: FormData): Promise<ConnectState> {
  const raw = formData.get("portal");
  const { hostPolicy: policy, servers } = b24Config();
  const check = checkPortalInput(typeof raw === "string" ? raw : "", policy);
  if (!check.ok) return { ok: false, error: hostError(check.reason, policy) };
  const picked = formData.get("server");
  return { ok: true, host: check.host, server: servers.find((s) => s.origin === picked)?.origin ?? servers[0].origin };
}
