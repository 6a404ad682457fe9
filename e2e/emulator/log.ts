import type { LogEntry } from "./types";

/** Bounded so a long benchmark run cannot exhaust memory; tests read it long before the cap matters. */
const MAX_ENTRIES = 50_000;

export class RequestLog {
  private entries: LogEntry[] = [];
  private seq = 0;

  constructor(private readonly enabled: boolean) {}

  add(entry: Omit<LogEntry, "seq">): void {
    if (!this.enabled) return;
    this.entries.push({ seq: ++this.seq, ...entry });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  since(seq = 0): LogEntry[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  clear(): void {
    this.entries = [];
  }
}
