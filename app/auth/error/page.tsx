import type { Metadata } from "next";
import Link from "next/link";
import { Brand } from "@/components/brand";

export const metadata: Metadata = { title: "Sign-in failed" };

const MESSAGES: Record<string, { title: string; text: string }> = {
  OAuthCallback: {
    title: "We could not confirm your sign-in",
    text: "The answer from Bitrix24 did not match the sign-in you started, or it expired. Start again from the home page.",
  },
  Callback: { title: "We could not confirm your sign-in", text: "Start again from the home page." },
  OAuthSignin: { title: "Sign-in could not start", text: "Check the portal address and try again." },
  AccessDenied: { title: "Access denied", text: "Bitrix24 did not allow this sign-in." },
  Storage: { title: "We could not save your connection", text: "Nothing was stored. Please try again in a minute." },
  NotInstalled: {
    title: "The app is not installed on this Bitrix24",
    text: "It was uninstalled, or its installation has not finished. A Bitrix24 administrator installs it from the Bitrix24 Market and opens it once; then sign in again.",
  },
  SessionRequired: { title: "Please sign in", text: "Your session ended. Connect your portal again." },
  Configuration: { title: "The app is misconfigured", text: "The operator must fix the server configuration. See the server log." },
};
const FALLBACK = { title: "Sign-in failed", text: "Something went wrong while signing you in. Start again from the home page." };

export default async function AuthError({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const msg = (error && Object.hasOwn(MESSAGES, error) ? MESSAGES[error] : undefined) ?? FALLBACK;
  return (
    <div className="mx-auto flex min-h-dvh max-w-xl flex-col px-6 py-5">
      <Brand />
      <main className="my-auto rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-bold">{msg.title}</h1>
        <p role="alert" className="mt-2 text-slate-600">
          {msg.text}
        </p>
        <Link href="/" className="mt-6 inline-block rounded-lg bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Back to the start page
        </Link>
      </main>
    </div>
  );
}
