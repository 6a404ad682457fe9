import { metricsResponse } from "@/lib/bitrix24";
import { withRequestId } from "@/lib/request-context";

export const dynamic = "force-dynamic";

/** Prometheus text for a scraper holding METRICS_TOKEN; see lib/bitrix24/metrics-endpoint.ts. */
export const GET = withRequestId(metricsResponse);
