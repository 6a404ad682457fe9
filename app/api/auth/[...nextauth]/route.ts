import NextAuth from "next-auth";
import { authOptionsFor } from "@/lib/auth";

type Ctx = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (not at import): environment problems surface at run time, by name, and the
// provider can read the callback's raw query.
async function handler(req: Request, ctx: Ctx) {
  return NextAuth(req as never, ctx as never, authOptionsFor(new URL(req.url).searchParams));
}

export { handler as GET, handler as POST };
