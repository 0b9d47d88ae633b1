/**
 * An adaptive spin budget (spin-before-sleep). Spinning pays off only when the other side runs
 * on another core at the same time: then the answer arrives within microseconds, far sooner
 * than a futex or event-loop wake-up. When the machine is short of cores, the spinning thread
 * holds the core the other side needs, and every spin runs to its end for nothing.
 *
 * So the budget adapts: a spin that saw the awaited event restores the full budget; a spin that
 * ran out quarters it; below 1 µs it is 0 (sleep at once), and one call in PROBE_EVERY tries the
 * full budget again in case cores became free. On a machine with free cores the cost is at most
 * `maxMicros` of CPU per wait; on a starved one about `maxMicros / PROBE_EVERY` per wait.
 */
const PROBE_EVERY = 256;

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

  /** The awaited event arrived while spinning. */
  worked(): void {
    this.budget = this.maxMicros;
  }

  /** The spin ran out (a failed probe leaves the budget at 0). */
  failed(): void {
    this.budget = this.budget < 1 ? 0 : this.budget / 4;
    if (this.budget < 1) this.budget = 0;
  }
}
