import "server-only";
import { db } from "@/lib/db";

/** The languages stored for one person: their own (LANG or the switcher) and their portal's (install event). */
export async function findLanguages(memberId: string, bitrixUserId: number): Promise<{ user: string | null; portal: string | null }> {
  const row = await db().user.findUnique({
    where: { memberId_bitrixUserId: { memberId, bitrixUserId } },
    select: { language: true, portal: { select: { language: true } } },
  });
  return { user: row?.language ?? null, portal: row?.portal.language ?? null };
}

/** The switcher's choice, kept for the person's next browser; a person not stored yet has nothing to update. */
export async function saveUserLanguage(memberId: string, bitrixUserId: number, language: string): Promise<void> {
  await db().user.updateMany({ where: { memberId, bitrixUserId }, data: { language } });
}
