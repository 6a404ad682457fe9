import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { processLocal } from "@/lib/process-local";
import { redact, redactString } from "@/lib/redact";
import type { RestExchange, RestRecorder } from "./transport/exchange";

/**
 * The REST log the Marketplace asks for (its publication rules: keep API requests and responses for at least the
 * last 3 days). One RestLog row per HTTP request to a portal, every attempt included; bodies pass the one redaction
 * list and are cut to BODY_MAX_BYTES. The REST call only hands its exchange over: the row is built on the next turn
 * of the event loop (so the full answer is not held while rows wait), queued in the process and written in batches
 * (group commit), and a failed write drops its batch with a warning rather than
 * slowing or failing the call. Rows still queued when the process dies (at most FLUSH_MS old) are lost.
 * pruneRestLog keeps B24_REST_LOG_DAYS of rows and the table's `bytes` under B24_REST_LOG_MAX_MB.
 */
export const BODY_MAX_BYTES = 16 * 1024;
/** Added to each row's body bytes for its other columns and index entries, so the size bound is of the table. */
export const ROW_OVERHEAD_BYTES = 256;
const FLUSH_ROWS = 50;
const FLUSH_MS = 200;
/** Rows (≤ 2 × 16 KB each) waiting for the database beyond this are dropped: a stalled database must not grow memory. */
const MAX_QUEUED = 2_000;
/** The size bound is checked after this many rows written by this process too, not only every 6 h. */
const PRUNE_EVERY_ROWS = 1_000;
/** Pruning for size deletes down to this share of the bound, so the next rows do not trigger it again at once. */
const PRUNE_TO = 0.9;
const PAGE = 500;
const DAY_MS = 86_400_000;

export interface RestLogSettings {
  /** 0: nothing is recorded and pruning deletes every row. */
  days: number;
  maxBytes: number;
}

export function restLogSettings(): RestLogSettings {
  const e = env();
  return { days: e.B24_REST_LOG_DAYS, maxBytes: e.B24_REST_LOG_MAX_MB * 1024 * 1024 };
}

const state = () =>
  processLocal("rest-log", () => ({
    queue: [] as Row[],
    timer: null as ReturnType<typeof setTimeout> | null,
    flushing: Promise.resolve(),
    written: 0,
    dropped: 0,
  }));

/** The REST client's recorder for calls made with `bitrixUserId`'s pair; records nothing while the log is off. */
export function restRecorder(bitrixUserId: number | null): RestRecorder {
  return (exchange) => {
    if (restLogSettings().days > 0) setImmediate(() => enqueue(exchange, bitrixUserId));
  };
}

function enqueue(exchange: RestExchange, bitrixUserId: number | null): void {
  const s = state();
  if (s.queue.length >= MAX_QUEUED) {
    if (s.dropped++ % 1000 === 0) log.warn("b24.rest_log.dropped", { reason: "queue_full", droppedSoFar: s.dropped });
    return;
  }
  try {
    s.queue.push(toRow(exchange, bitrixUserId));
  } catch (err) {
    log.warn("b24.rest_log.dropped", { reason: "unrecordable", b24RequestId: exchange.requestId, error: err instanceof Error ? err.name : "unknown" });
    return;
  }
  if (s.queue.length >= FLUSH_ROWS) void flushRestLog();
  else if (!s.timer) {
    s.timer = setTimeout(() => void flushRestLog(), FLUSH_MS);
    s.timer.unref?.();
  }
}

/** `text` cut to `max` UTF-8 bytes on a character boundary, ending in a note that says so. */
export function truncateBody(text: string, max = BODY_MAX_BYTES): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= max) return text;
  const note = `…[truncated: ${buf.length} bytes, first ${max} kept]`;
  let cut = Math.max(0, max - Buffer.byteLength(note));
  while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
  return buf.subarray(0, cut).toString("utf8") + note;
}

/** A body as stored: redacted by the one list, as JSON, truncated; "" when there was none. */
export function bodyText(value: unknown, max = BODY_MAX_BYTES): string {
  if (value === undefined) return "";
  return truncateBody(JSON.stringify(redact(value)) ?? "", max);
}

type Row = ReturnType<typeof toRow>;

function toRow(e: RestExchange, bitrixUserId: number | null) {
  const request = bodyText(e.params);
  const response = bodyText(e.body);
  return {
    memberId: e.memberId,
    at: e.at,
    requestId: e.requestId,
    method: e.method,
    bitrixUserId,
    status: e.status,
    durationMs: e.durationMs,
    errorCode: e.errorCode === null ? null : redactString(e.errorCode).slice(0, 64),
    request,
    response,
    bytes: Buffer.byteLength(request) + Buffer.byteLength(response) + ROW_OVERHEAD_BYTES,
  };
}

/** Writes everything recorded so far; resolves when it is written or dropped. Never rejects. */
export async function flushRestLog(): Promise<void> {
  // Exchanges handed over before this call become rows first (setImmediate runs its callbacks in order).
  await new Promise<void>((resolve) => setImmediate(resolve));
  const s = state();
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  s.flushing = s.flushing.then(drain);
  return s.flushing;
}

async function drain(): Promise<void> {
  const s = state();
  while (s.queue.length > 0) {
    const batch = s.queue.splice(0, FLUSH_ROWS);
    try {
      await db().restLog.createMany({ data: batch });
      s.written += batch.length;
    } catch (err) {
      // The name only: a database error's message may quote the values it failed to write.
      log.warn("b24.rest_log.dropped", { reason: "write_failed", rows: batch.length, error: err instanceof Error ? err.name : "unknown" });
    }
  }
  if (s.written >= PRUNE_EVERY_ROWS) {
    s.written = 0;
    await pruneRestLog().catch((err: unknown) => log.warn("b24.rest_log.prune_failed", { error: err instanceof Error ? err.name : "unknown" }));
  }
}

export interface PruneReport {
  expired: number;
  overSize: number;
}

/**
 * Deletes rows older than the retention, then the oldest rows while the table's bytes exceed the bound. Idempotent
 * and safe on several instances at once: each step re-reads the total, so a concurrent prune costs at most one
 * extra page of the oldest rows.
 */
export async function pruneRestLog(now: Date = new Date(), settings: RestLogSettings = restLogSettings()): Promise<PruneReport> {
  const cutoff = new Date(now.getTime() - settings.days * DAY_MS);
  const { count: expired } = await db().restLog.deleteMany({ where: { at: { lt: cutoff } } });
  let overSize = 0;
  for (;;) {
    const total = (await db().restLog.aggregate({ _sum: { bytes: true } }))._sum.bytes ?? 0;
    if (total <= settings.maxBytes) break;
    let excess = total - Math.floor(settings.maxBytes * PRUNE_TO);
    const oldest = await db().restLog.findMany({ orderBy: [{ at: "asc" }, { id: "asc" }], take: PAGE, select: { id: true, bytes: true } });
    const ids: string[] = [];
    for (const row of oldest) {
      if (excess <= 0) break;
      ids.push(row.id);
      excess -= row.bytes;
    }
    if (ids.length === 0) break;
    overSize += (await db().restLog.deleteMany({ where: { id: { in: ids } } })).count;
  }
  if (expired || overSize) log.info("b24.rest_log.pruned", { expired, overSize, days: settings.days });
  return { expired, overSize };
}

const COLUMNS = { at: true, requestId: true, method: true, bitrixUserId: true, status: true, durationMs: true, errorCode: true, request: true, response: true, bytes: true } as const;

export interface RestLogEntry {
  at: Date;
  requestId: string;
  method: string;
  bitrixUserId: number | null;
  status: number;
  durationMs: number;
  errorCode: string | null;
  request: string;
  response: string;
  bytes: number;
}

/** The portal's newest rows, this process's queue written first so a call just made is among them. */
export async function recentRestLog(memberId: string, take = 50): Promise<RestLogEntry[]> {
  await flushRestLog();
  return db().restLog.findMany({ where: { memberId }, orderBy: [{ at: "desc" }, { id: "desc" }], take, select: COLUMNS });
}

/** The portal's rows of the last `days` days (bounded by the retention), oldest first, as JSON lines, page by page. */
export function restLogLines(memberId: string, days: number, now: Date = new Date()): ReadableStream<Uint8Array> {
  const since = new Date(now.getTime() - Math.min(days, restLogSettings().days) * DAY_MS);
  const encoder = new TextEncoder();
  // Keyset paging (at, id): a row pruned meanwhile cannot derail the position the way an id cursor would.
  let after: { at: Date; id: string } | null = null;
  return new ReadableStream({
    async start() {
      await flushRestLog();
    },
    async pull(controller) {
      const position = after ? { OR: [{ at: { gt: after.at } }, { at: after.at, id: { gt: after.id } }] } : {};
      const page = await db().restLog.findMany({
        where: { memberId, at: { gte: since }, ...position },
        orderBy: [{ at: "asc" }, { id: "asc" }],
        take: PAGE,
        select: { id: true, ...COLUMNS },
      });
      if (page.length === 0) return controller.close();
      const last = page[page.length - 1]!;
      after = { at: last.at, id: last.id };
      controller.enqueue(encoder.encode(page.map((row) => jsonLine(memberId, row)).join("")));
    },
  });
}

function jsonLine(memberId: string, r: RestLogEntry): string {
  const { at, requestId, method, bitrixUserId, status, durationMs, errorCode, request, response, bytes } = r;
  return `${JSON.stringify({ memberId, at, requestId, method, bitrixUserId, status, durationMs, errorCode, request, response, bytes })}\n`;
}
