import { redact } from "@/lib/redact";
import { currentRequestId } from "@/lib/request-context";

/**
 * Structured one-line JSON logs. Every field goes through the redaction list, so call sites cannot leak a
 * token by logging a request, a response or an error. A line written while a request is handled carries that
 * request's `requestId` (lib/request-context.ts); `b24RequestId` is the id of one request the app sent to Bitrix24.
 */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function threshold(): number {
  const configured = process.env.LOG_LEVEL as Level | "silent" | undefined;
  return ORDER[configured ?? "info"] ?? ORDER.info;
}

function write(level: Level, event: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return;
  const requestId = currentRequestId();
  const line = JSON.stringify({ t: new Date().toISOString(), level, event, ...(requestId && { requestId }), ...(redact(fields ?? {}) as object) });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (event: string, fields?: Record<string, unknown>) => write("debug", event, fields),
  info: (event: string, fields?: Record<string, unknown>) => write("info", event, fields),
  warn: (event: string, fields?: Record<string, unknown>) => write("warn", event, fields),
  error: (event: string, fields?: Record<string, unknown>) => write("error", event, fields),
};
