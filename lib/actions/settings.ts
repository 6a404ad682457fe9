"use server";
import { z } from "zod";
import { getPortalSession } from "@/lib/auth";
import { BUCKET_CHOICES, setPortalBucket, userClient } from "@/lib/bitrix24";
import { toErrorBody } from "@/lib/errors";
import { requestLocale } from "@/lib/i18n/resolve";
import { translator } from "@/lib/i18n/server";
import { log } from "@/lib/log";

/**
 * The settings page's writes. Not proxy methods: app.option.set would let a page overwrite any app option, including
 * the ones server code keeps there (lib/handlers/on-deal-add.ts), so only the named settings are written, each
 * with the signed-in person's own token. Bitrix24 itself refuses app.option.set to non-administrators; the check
 * here only gives the clearer message first. The outcome's text is in the page's language (the same request's locale).
 */
const SETTINGS = {
  app: { greeting: z.string().trim().max(200) },
  user: { signature: z.string().trim().max(200) },
} as const;

export type SettingScope = keyof typeof SETTINGS;
export type SaveState = { ok: true } | { ok: false; error: string };

/** Only a refusal needs the language, so a save that works does not look it up. */
const messages = async () => translator(await requestLocale());
type Refusal = "settings.errors.sessionEnded" | "settings.errors.unknownSetting" | "settings.errors.tooLong" | "settings.adminOnly" | "bucket.chooseBucket" | "bucket.notConnected";

async function refuse(key: Refusal): Promise<SaveState> {
  return { ok: false, error: (await messages())(key) };
}

/** A failed call, said by its code: Bitrix24's own text is English and may name internals. */
async function notSaved(err: unknown): Promise<SaveState> {
  return { ok: false, error: (await messages())("settings.errors.notSaved", { code: toErrorBody(err).body.error }) };
}

export async function saveSetting(scope: SettingScope, name: string, value: unknown): Promise<SaveState> {
  const session = await getPortalSession();
  if (!session) return refuse("settings.errors.sessionEnded");
  const fields: Record<string, z.ZodType<string>> = SETTINGS[scope] ?? {};
  const schema = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (!schema) return refuse("settings.errors.unknownSetting");
  const parsed = schema.safeParse(value);
  if (!parsed.success) return refuse("settings.errors.tooLong");
  if (scope === "app" && !session.isAdmin) return refuse("settings.adminOnly");
  try {
    await userClient(session, { interactive: true }).call(scope === "app" ? "app.option.set" : "user.option.set", { options: { [name]: parsed.data } });
    return { ok: true };
  } catch (err) {
    log.warn("settings.save_failed", { memberId: session.memberId, scope, err });
    return notSaved(err);
  }
}

/**
 * The portal's request bucket (lib/bitrix24/bucket-setting.ts). The app's own data, not a Bitrix24 option, so the
 * administrator check here is the only one; the portal is the session's, never one named by the form.
 */
export async function saveBucketChoice(choice: unknown): Promise<SaveState> {
  const session = await getPortalSession();
  if (!session) return refuse("settings.errors.sessionEnded");
  if (!session.isAdmin) return refuse("settings.adminOnly");
  const parsed = z.enum(BUCKET_CHOICES).safeParse(choice);
  if (!parsed.success) return refuse("bucket.chooseBucket");
  try {
    if (!(await setPortalBucket(session.memberId, parsed.data))) return refuse("bucket.notConnected");
    return { ok: true };
  } catch (err) {
    log.warn("settings.bucket_save_failed", { memberId: session.memberId, err });
    return notSaved(err);
  }
}
