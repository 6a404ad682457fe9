import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Brand } from "@/components/brand";
import { isErrorMessageCode } from "@/lib/error-messages";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth");
  return { title: t("metaTitle") };
}

/** next-auth's codes and the app's own (lib/auth.ts, the pages' redirects) that this page words in the auth namespace. */
const AUTH_CODES = ["OAuthCallback", "Callback", "OAuthSignin", "AccessDenied", "Storage", "NotInstalled", "SessionRequired", "Configuration"] as const;
type AuthCode = (typeof AUTH_CODES)[number];
const isAuthCode = (v: string): v is AuthCode => (AUTH_CODES as readonly string[]).includes(v);

export default async function AuthError({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error = "" } = await searchParams;
  const t = await getTranslations();
  // A B24ErrorCode (errors.<code>) reads as the app's other error messages; anything unknown gets the fallback.
  const msg = isAuthCode(error)
    ? { title: t(`auth.${error}.title`), text: t(`auth.${error}.text`) }
    : isErrorMessageCode(error)
      ? { title: t(`errors.${error}.title`), text: t(`errors.${error}.text`) }
      : { title: t("auth.fallback.title"), text: t("auth.fallback.text") };
  return (
    <div className="mx-auto flex min-h-dvh max-w-xl flex-col px-6 py-5">
      <Brand />
      <main className="my-auto rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-bold">{msg.title}</h1>
        <p role="alert" className="mt-2 text-slate-600">
          {msg.text}
        </p>
        <Link href="/" className="mt-6 inline-block rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          {t("common.backToStart")}
        </Link>
      </main>
    </div>
  );
}
