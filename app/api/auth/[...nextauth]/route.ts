import NextAuth from "next-auth";
import { authOptionsFor } from "@/lib/auth";
import { authCookies } from "@/lib/auth-cookies";
import { env } from "@/lib/env";
import { refuseUnverifiedSignIn } from "@/lib/sign-in-guard";
import { withRequestId } from "@/lib/request-context";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (not at import): environment problems surface at run time, by name, and the
// provider can read the callback's raw query.
async function handler(req: Request, ctx: Ctx) {
  const e = env();
  // A sign-in start without next-auth's CSRF token (any GET, a POST without the token) is refused with 403.
  const refused = await refuseUnverifiedSignIn(req, (await ctx.params).nextauth, {
    secret: e.NEXTAUTH_SECRET,
    csrfCookie: authCookies(e.NEXTAUTH_URL).csrfToken.name,
  });
  if (refused) return refused;
  return NextAuth(req as never, ctx as never, authOptionsFor(new URL(req.url).searchParams));
}

const traced = withRequestId(handler);
export { traced as GET, traced as POST };
