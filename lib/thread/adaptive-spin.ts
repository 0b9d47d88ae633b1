/**
 * An adaptive spin budget (spin-before-sleep). Spinning pays off only when the other side runs
 * on another core at the same time: then the answer arrives within microseconds, far sooner
 * than a futex or event-loop wake-up. When the machine is short of cores, the spinning thread
 * holds the core the other side needs, and every spin runs to its end for nothing.
 *
 * So the budget adapts: a spin that saw the awaited event quickly keeps the full budget; a spin
 * that ran out (or saw it only late) sets it to 0 (sleep at once), and one wait in PROBE_EVERY
 * tries the full budget again in case cores became free. On a machine with free cores the cost is at most
 * `maxMicros` of CPU per wait; on a starved one about `maxMicros / PROBE_EVERY` per wait.
 */
const PROBE_EVERY = 256;
/** An arrival within this many microseconds shows that both sides really run at once. */
const QUICK_US = 50;

export class AdaptiveSpin {
  private budget: number;
  private sleeps = 0;

  constructor(private readonly maxMicros: number) {
    this.budget = maxMicros;
  }

  /** The budget for the next spin, in ms (0: do not spin). */
  nextMs(): number {
    if (this.maxMicros <= 0) return 0;
    if (this.budget < 1) {
      this.sleeps += 1;
      if (this.sleeps % PROBE_EVERY !== 0) return 0;
      return this.maxMicros / 1000;
    }
    return this.budget / 1000;
  }

  /**
   * The awaited event arrived while spinning, `waitedMs` after the spin began. Only a quick
   * arrival (under QUICK_US) counts as spinning paying off: a slow one means the other side was
   * itself waiting for a core, and the spin only competed with it for one.
   */
  worked(waitedMs: number): void {
    if (waitedMs * 1000 <= QUICK_US) this.budget = this.maxMicros;
    else this.failed();
  }

  /** The spin ran out: stop spinning until a probe shows that it pays again. */
  failed(): void {
    this.budget = 0;
  }
}
