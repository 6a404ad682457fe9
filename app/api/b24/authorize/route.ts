import { portalAuthorizeUrl } from "@/lib/bitrix24";
import { errorPage } from "@/lib/http/responses";
import { localeOfRequest } from "@/lib/i18n/resolve";
import { withRequestId } from "@/lib/request-context";

/** Step 1 of sign-in: next-auth sends the browser here; we forward it to the chosen portal's authorize page. */
export const GET = withRequestId((req: Request): Response => {
  try {
    return Response.redirect(portalAuthorizeUrl(new URL(req.url).searchParams), 302);
  } catch (err) {
    return errorPage(err, localeOfRequest(req));
  }
});
