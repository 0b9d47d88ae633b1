/**
 * An adaptive spin budget (spin-before-sleep). Spinning pays off only when the other side runs
 * on another core at the same time: then the answer arrives within microseconds, far sooner
 * than a futex or event-loop wake-up. When the machine is short of cores, the spinning thread
 * holds the core the other side needs, and every spin runs to its end for nothing.
 *
 * So the budget adapts: a spin that sees the awaited event quickly keeps spinning on; after
 * STOP_AFTER failed spins in a row (ran out, or saw the event only late) it stops (sleep at
 * once), and one wait in PROBE_EVERY tries the full budget again in case cores became free.
 * A single failure does not stop it: a garbage collection or a preemption on either side makes
 * one spin run out now and then, and stopping for PROBE_EVERY waits on every such hiccup made
 * half of all back-to-back calls pay the full wake-up (measured: 15 µs median against 4.6 µs).
 * On a machine with free cores the cost is at most `maxMicros` of CPU per wait; on a starved
 * one STOP_AFTER full spins, then about `maxMicros / PROBE_EVERY` per wait.
 */
const PROBE_EVERY = 256;
/** Failed spins in a row after which spinning stops (until a probe pays off). */
const STOP_AFTER = 4;
/** An arrival within this many microseconds shows that both sides really run at once. */
const QUICK_US = 50;

export class AdaptiveSpin {
  /** Failed spins since the last one that paid off. */
  private failures = 0;
  private sleeps = 0;

  /**
   * @param maxMicros the full budget (0: never spin).
   * @param quickMicros an arrival later than this counts as a failure (default QUICK_US).
   */
  constructor(
    private readonly maxMicros: number,
    private readonly quickMicros = QUICK_US,
  ) {}

  /** The budget for the next spin, in ms (0: do not spin). */
  nextMs(): number {
    if (this.maxMicros <= 0) return 0;
    if (this.failures >= STOP_AFTER) {
      this.sleeps += 1;
      if (this.sleeps % PROBE_EVERY !== 0) return 0;
    }
    return this.maxMicros / 1000;
  }

  /**
   * The awaited event arrived while spinning, `waitedMs` after the spin began. Only a quick
   * arrival (under `quickMicros`) counts as spinning paying off: a slow one means the other
   * side was itself waiting for a core, and the spin only competed with it for one.
   */
  worked(waitedMs: number): void {
    if (waitedMs * 1000 <= this.quickMicros) this.failures = 0;
    else this.failed();
  }

  /** The spin ran out (or paid off only late). */
  failed(): void {
    this.failures += 1;
  }
}
