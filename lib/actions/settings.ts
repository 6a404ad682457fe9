"use server";
import { z } from "zod";
import { getPortalSession } from "@/lib/auth";
import { BUCKET_CHOICES, setPortalBucket, userClient } from "@/lib/bitrix24";
import { toErrorBody } from "@/lib/errors";
import { log } from "@/lib/log";

/**
 * The settings page's writes. Not proxy methods: app.option.set would let a page overwrite any app option, including
 * the ones server code keeps there (lib/handlers/on-deal-add.ts), so only the named settings are written, each
 * with the signed-in person's own token. Bitrix24 itself refuses app.option.set to non-administrators; the check
 * here only gives the clearer message first.
 */
const SETTINGS = {
  app: { greeting: z.string().trim().max(200) },
  user: { signature: z.string().trim().max(200) },
} as const;

export type SettingScope = keyof typeof SETTINGS;
export type SaveState = { ok: true } | { ok: false; error: string };

export async function saveSetting(scope: SettingScope, name: string, value: unknown): Promise<SaveState> {
  const session = await getPortalSession();
  if (!session) return { ok: false, error: "Your session has ended. Open the app from Bitrix24 again." };
  const fields: Record<string, z.ZodType<string>> = SETTINGS[scope] ?? {};
  const schema = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (!schema) return { ok: false, error: "Unknown setting." };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: "Keep it under 200 characters." };
  if (scope === "app" && !session.isAdmin) return { ok: false, error: "Only a Bitrix24 administrator can change this." };
  try {
    await userClient(session, { interactive: true }).call(scope === "app" ? "app.option.set" : "user.option.set", { options: { [name]: parsed.data } });
    return { ok: true };
  } catch (err) {
    log.warn("settings.save_failed", { memberId: session.memberId, scope, err });
    return { ok: false, error: toErrorBody(err).body.message };
  }
}

/**
 * The portal's request bucket (lib/bitrix24/bucket-setting.ts). The app's own data, not a Bitrix24 option, so the
 * administrator check here is the only one; the portal is the session's, never one named by the form.
 */
export async function saveBucketChoice(choice: unknown): Promise<SaveState> {
  const session = await getPortalSession();
  if (!session) return { ok: false, error: "Your session has ended. Open the app from Bitrix24 again." };
  if (!session.isAdmin) return { ok: false, error: "Only a Bitrix24 administrator can change this." };
  const parsed = z.enum(BUCKET_CHOICES).safeParse(choice);
  if (!parsed.success) return { ok: false, error: "Choose one of the listed buckets." };
  try {
    if (!(await setPortalBucket(session.memberId, parsed.data))) return { ok: false, error: "This portal is not connected to the app." };
    return { ok: true };
  } catch (err) {
    log.warn("settings.bucket_save_failed", { memberId: session.memberId, err });
    return { ok: false, error: toErrorBody(err).body.message };
  }
}
