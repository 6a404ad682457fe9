import { readiness } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const r = await readiness();
  return Response.json(r, { status: r.ok ? 200 : 503 });
}
