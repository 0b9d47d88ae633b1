/**
 * When spinning before sleeping pays, for callers and hosts alike (docs/reactor-threads.md,
 * "Spin budget").
 *
 * Spinning pays off only when the other side runs on another core at the same time: then the
 * answer arrives within microseconds, far sooner than a futex or event-loop wake-up. When the
 * machine is short of cores, the spinning thread holds the core the other side needs, and even a
 * spin that "succeeds" only delays the answer it waits for. Three pieces decide:
 *
 * - CoreCheck: is there a core to spare at all? Measured, not inferred from spin outcomes: the
 *   machine's idle time plus this process's own CPU time, over windows of about 100 ms, is the
 *   number of cores this process could use. Below about 1.3 cores a spinner would take the core
 *   of the thread it waits for (or of another process), so nothing spins: not the caller, not the
 *   host after a reply, and no early wakes (heads-ups, REPLY_SOON) either. Spin outcomes could
 *   not tell: with another process keeping one of two cores busy, most spins still saw their
 *   event within 50 µs (the other side preempting the busy process), and calls took 19-38 µs
 *   against 15 µs without any spinning.
 * - AdaptiveSpin: does spinning pay for this side's waits? A spin that sees the awaited event in
 *   time keeps spinning on; after STOP_AFTER failed spins in a row (ran out, or saw the event
 *   only late) it stops (sleep at once) and probes again after 1, 2, 4, 8... waits, then one
 *   wait in PROBE_EVERY. A single failure does not stop it: a garbage collection or a preemption
 *   on either side makes one spin run out now and then, and stopping on every such hiccup made
 *   half of all back-to-back calls pay the full wake-up (measured: 15 µs median against
 *   4.6 µs). Nor does a short run of them stop it for long: a host woken from its loop after a
 *   pause makes a few spins in a row run out, and a fixed 1-in-256 probe then left a caller
 *   sleeping for 10 ms of calls at 30 µs instead of 3 µs.
 * - LatencyBudget: how long to spin for a caller's reply: about twice as long as replies have
 *   been taking, within bounds, so that a call whose body waits on I/O for tens of microseconds
 *   is still caught spinning, while a spin for a trivial call gives up early.
 *
 * Context: any thread; each thread has its own CoreCheck (module state is per thread).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as clock from '../../core/clock';

/** When spinning has stopped, the longest run of waits without a probe. */
const PROBE_EVERY = 256;
/** Failed spins in a row after which spinning stops (until a probe pays off). */
const STOP_AFTER = 4;
/** An arrival within this many microseconds shows that both sides really run at once. */
const QUICK_US = 50;

export class AdaptiveSpin {
  /** Failed spins since the last one that paid off. */
  private failures = 0;
  /** Once stopped: waits to go before the next probe. */
  private skip = 0;
  /** Once stopped: the run of waits before the probe after next (doubles up to PROBE_EVERY). */
  private gap = 1;

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
      if (this.skip > 0) {
        this.skip -= 1;
        return 0;
      }
      // A probe. If it fails too, the next one comes after twice as many waits (up to
      // PROBE_EVERY): a passing hiccup costs a few slow calls, a lasting one almost nothing.
      this.gap = Math.min(2 * this.gap, PROBE_EVERY);
      this.skip = this.gap;
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

  /**
   * The spin ran out (or paid off only late). `weight` below 1 for a failure that says less
   * about spinning (the other side was known to be asleep).
   */
  failed(weight = 1): void {
    const stopped = this.failures >= STOP_AFTER;
    this.failures += weight;
    if (!stopped && this.failures >= STOP_AFTER) {
      this.gap = 1;
      this.skip = 1;
    }
  }
}

/**
 * A caller's spin budget that follows its replies: twice the typical time a reply has taken
 * (a moving average, each reply weighing 1/8), never less than `floorMicros` nor more than
 * `capMicros`. A trivial call's reply comes within a few microseconds, so its spin gives up at
 * the floor; a call whose body waits on I/O (a database round trip, tens of microseconds) is
 * caught spinning instead of paying a wake-up on top of its I/O.
 */
export class LatencyBudget {
  private typicalMs = 0;
  private readonly floorMs: number;
  private readonly capMs: number;

  constructor(floorMicros: number, capMicros: number) {
    this.capMs = Math.max(0, capMicros) / 1000;
    this.floorMs = Math.min(Math.max(0, floorMicros) / 1000, this.capMs);
  }

  /** The budget for the next spin, in ms. */
  nextMs(): number {
    return Math.min(this.capMs, Math.max(this.floorMs, 2 * this.typicalMs));
  }

  /** A reply took `ms` (spun or slept for; a slept one includes its wake-up). */
  observed(ms: number): void {
    // Clipped: one long call moves the budget to its cap, never the average far beyond it.
    const sample = Math.min(ms, 2 * this.capMs);
    this.typicalMs += (sample - this.typicalMs) / 8;
  }
}

/** A reading of the CPU clocks: the machine's idle time and this process's CPU time, in ms. */
export interface CpuReading {
  readonly idleMs: number;
  readonly ownMs: number;
}

/** Below this many usable cores (idle + own), nothing spins... */
const CROWDED_BELOW = 1.3;
/** ...until there are this many again (hysteresis: the reading is coarse, 10 ms ticks). */
const SPARE_ABOVE = 1.45;
/** Shortest window between two readings (ms); /proc/stat counts idle time in 10 ms ticks. */
const LINUX_WINDOW_MS = 100;
/** Elsewhere os.cpus() is read, which costs more (ms). */
const OTHER_WINDOW_MS = 500;

/**
 * Whether the machine has a core to spare for spinning. Each reading compares, over the window
 * since the previous one, the machine's idle time plus this process's own CPU time (what this
 * process could use) with the wall time: about 2 cores on an idle 2-core machine, whatever this
 * process does; about 1 when another process keeps one of them busy. Smoothed over readings,
 * with hysteresis. Cheap: one reading per window at most (about 15 µs on Linux), taken by
 * whoever asks first once the window is over; between readings the verdict is a field.
 */
export class CoreCheck {
  /** The last verdict: no core to spare (read it freely; `update()` refreshes it). */
  crowded: boolean;
  private last: CpuReading | undefined;
  private lastAt = 0;
  private usable = -1;

  constructor(
    private readonly cores = availableCores(),
    private readonly read: () => CpuReading | undefined = readCpu,
    private readonly windowMs = process.platform === 'linux' ? LINUX_WINDOW_MS : OTHER_WINDOW_MS,
  ) {
    // One core: a spinner always holds the core the other side needs.
    this.crowded = cores < 2;
  }

  /** Refreshes the verdict when a window is over (`now`: the caller's clock, ms); returns it. */
  update(now: number): boolean {
    if (this.cores < 2 || now - this.lastAt < this.windowMs) return this.crowded;
    const reading = this.read();
    if (reading === undefined) {
      // Nothing to read here: decide on spin outcomes alone (AdaptiveSpin).
      this.lastAt = Infinity;
      this.crowded = false;
      return false;
    }
    const previous = this.last;
    const elapsed = now - this.lastAt;
    this.last = reading;
    this.lastAt = now;
    if (previous === undefined) return this.crowded;
    const usable = (reading.idleMs - previous.idleMs + reading.ownMs - previous.ownMs) / elapsed;
    this.usable = this.usable < 0 ? usable : (this.usable + usable) / 2;
    if (this.crowded ? this.usable > SPARE_ABOVE : this.usable < CROWDED_BELOW) {
      this.crowded = !this.crowded;
    }
    return this.crowded;
  }
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function'
    ? os.availableParallelism()
    : os.cpus().length;
}

const statBuffer = Buffer.alloc(256);

/** Idle time of the whole machine (ms), from /proc/stat on Linux, else os.cpus(). */
function machineIdleMs(): number | undefined {
  if (process.platform === 'linux') {
    try {
      const fd = fs.openSync('/proc/stat', 'r');
      let length: number;
      try {
        length = fs.readSync(fd, statBuffer, 0, statBuffer.length, 0);
      } finally {
        fs.closeSync(fd);
      }
      // "cpu  user nice system idle iowait irq softirq steal ...", in USER_HZ (100) ticks. Idle
      // and iowait are accounted exactly (tickless idle), so their sum is not biased by which
      // thread happened to run at a tick, as the busy fields are.
      const fields = statBuffer.toString('latin1', 0, length).split('\n', 1)[0]?.split(/\s+/);
      const idle = Number(fields?.[4]) + Number(fields?.[5]);
      if (fields?.[0] === 'cpu' && Number.isFinite(idle)) return idle * 10;
    } catch {
      // No procfs (a sandbox): os.cpus() below.
    }
  }
  const cpus = os.cpus();
  if (cpus.length === 0) return undefined;
  let idle = 0;
  for (const cpu of cpus) idle += cpu.times.idle;
  return idle;
}

function readCpu(): CpuReading | undefined {
  const idleMs = machineIdleMs();
  if (idleMs === undefined) return undefined;
  const own = process.cpuUsage();
  return { idleMs, ownMs: (own.user + own.system) / 1000 };
}

/** This thread's CoreCheck, shared by its connections and its host. */
export const coreCheck = new CoreCheck();

/**
 * The one spin loop, callers' and hosts' alike: calls `poll` until it returns true (returns 0),
 * reading the clock once every `pollsPerClockRead` polls (a power of two: a poll costs
 * nanoseconds, a clock read more) and giving up at the first reading at or past `untilMs`
 * (returns that reading, so that a spin with two limits can tell which one it reached; readings
 * are always above 0).
 *
 * Nothing is allocated per poll. Write `poll` as an arrow function at the call site: once this
 * function is inlined into its caller, the compiler knows which `poll` it calls and inlines it
 * too, however many different ones the thread passes here (callers and a host share a thread).
 */
export function spinUntil(poll: () => boolean, untilMs: number, pollsPerClockRead: number): number {
  const mask = pollsPerClockRead - 1;
  for (let i = 1; !poll(); i += 1) {
    if ((i & mask) === 0) {
      const now = clock.now();
      if (now >= untilMs) return now;
    }
  }
  return 0;
}

/**
 * Polls `counters[slot]` until it no longer holds `seen` (true) or the clock passes `untilMs`
 * (false). The clock is read once every 64 polls: one poll is a single atomic load.
 */
export function spinUntilChanged(
  counters: Int32Array,
  slot: number,
  seen: number,
  untilMs: number,
): boolean {
  return spinUntil(() => Atomics.load(counters, slot) !== seen, untilMs, 64) === 0;
}
