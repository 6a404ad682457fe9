/**
 * The one source of time for the emulator: token expiry, code lifetime, leaky buckets and operating windows
 * all read it, so tests move time instead of sleeping. Real time keeps flowing unless the clock is frozen.
 */
export class Clock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  nowSec(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(sec: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs += sec * 1000;
    else this.offsetMs += sec * 1000;
  }

  set(unixSec: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs = unixSec * 1000;
    else this.offsetMs = unixSec * 1000 - Date.now();
  }

  /** Frozen time makes rate-limit tests exact: nothing drains between two requests. */
  freeze(on: boolean): void {
    if (on && this.frozenAtMs === null) this.frozenAtMs = this.nowMs();
    if (!on && this.frozenAtMs !== null) {
      this.offsetMs = this.frozenAtMs - Date.now();
      this.frozenAtMs = null;
    }
  }

  snapshot(): { now: number; frozen: boolean } {
    return { now: this.nowMs() / 1000, frozen: this.frozenAtMs !== null };
  }
}

export function isoSec(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "+00:00");
}
