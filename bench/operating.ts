import type { Emulator } from "@/e2e/emulator";
import type { Tokens } from "@/e2e/emulator/tests/helpers";
import { createB24Client, type BatchCommand } from "@/lib/bitrix24/transport/client";
import { unlimited } from "@/lib/bitrix24/ports";
import { memoryTokens } from "./emu";
import { oursLister, runLister, type ListRun } from "./list-all";

/**
 * Offset vs keyset under the operating-time limit (480 s per method in 10 min). The emulator's per-method cost option
 * models a database OFFSET scan: a page costs a fixed 100 ms plus 0.02 ms per skipped row, so page k of an offset
 * walk costs 100 ms + k ms, while a keyset page (`>ID`, start=-1) always costs 100 ms.
 */
export const COST = { baseMs: 100, perSkippedRowMs: 0.02 };

function costOf(method: string, params: unknown): number {
  if (method !== "crm.deal.list") return 0;
  const start = Number((params as { start?: unknown } | null)?.start ?? 0);
  return COST.baseMs + (Number.isFinite(start) && start > 0 ? start * COST.perSkippedRowMs : 0);
}

/** Offset paging packed 50 pages per batch (what a batch-aware offset client does); stops at the first block. */
async function offsetBatches(emu: Emulator, tokens: Tokens, note: (s: string) => void): Promise<Array<Record<string, unknown>>> {
  const client = createB24Client({ memberId: emu.portals[0]!.memberId, tokens: memoryTokens(emu, tokens), limiter: unlimited });
  const rows: Array<Record<string, unknown>> = [];
  let total = Infinity;
  for (let start = 0; start < total; start += 50 * 50) {
    const commands: Record<string, BatchCommand> = {};
    for (let k = 0; k < 50 && start + k * 50 < total; k++) {
      commands[`p${k}`] = ["crm.deal.list", { select: ["ID", "TITLE"], order: { ID: "ASC" }, start: start + k * 50 }];
    }
    const res = await client.batch(commands);
    for (const key of Object.keys(commands)) {
      const err = res.result_error[key];
      if (err) {
        note(`${err.error} after ${rows.length} rows`);
        return rows;
      }
      total = Math.min(total, res.result_total[key] ?? total);
      rows.push(...((res.result[key] as Array<Record<string, unknown>>) ?? []));
    }
  }
  return rows;
}

export async function operatingBench(opts: { quick: boolean; onRun?: (r: ListRun) => void }): Promise<ListRun[]> {
  const deals = opts.quick ? 5_000 : 100_000;
  const emuOpts = { methodCostMs: costOf };
  let blocked: string | undefined;
  const offset = await runLister("offset batch (cost grows)", (emu, t) => offsetBatches(emu, t, (s) => (blocked = s)), deals, emuOpts);
  if (blocked) offset.note = blocked;
  opts.onRun?.(offset);
  const keyset = await runLister("ours listAll (cost grows)", oursLister, deals, emuOpts);
  opts.onRun?.(keyset);
  return [offset, keyset];
}
