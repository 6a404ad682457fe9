/** A small closed-loop load generator: `concurrency` workers, each sending its next request when the last answered. */
export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  failures: string[];
}

export async function load(opts: {
  concurrency: number;
  /** Stop after this many requests in total… */
  total?: number;
  /** …or after this long, whichever comes first. */
  maxMs: number;
  send: (i: number) => Promise<{ ok: boolean; detail?: string }>;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = started + opts.maxMs;
  const worker = async () => {
    while ((opts.total === undefined || next < opts.total) && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      let r: { ok: boolean; detail?: string };
      try {
        r = await opts.send(i);
      } catch (e) {
        r = { ok: false, detail: e instanceof Error ? e.message : String(e) };
      }
      latenciesMs.push(performance.now() - t0);
      if (r.ok) ok++;
      else if (failures.length < 5) failures.push(r.detail ?? "failed");
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const sent = latenciesMs.length;
  return { sent, ok, failed: sent - ok, seconds: (performance.now() - started) / 1000, latenciesMs, failures };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
