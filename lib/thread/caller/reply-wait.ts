/**
 * How a caller waits for a reply, step by step (connection.ts says what the steps are for):
 * drain what arrived; return once the call is settled; fail if the host is down; let a signal
 * through now and then (signals.ts); spin on the reply counter for about twice as long as
 * replies have been taking (at most `spinMicros`, and only while the machine has a core to
 * spare: adaptive-spin.ts); then `Atomics.wait` on it in slices of at most SLICE_MS, so that a
 * host that died without telling anyone, and a stop signalled only through the shared state,
 * are noticed within a slice. While the deadline is far and this thread's timekeeper runs, the
 * wait is untimed and the timekeeper's tick is the slice (timekeeper.ts says why). An early wake
 * (REPLY_SOON) is followed by a short spin for the reply being cloned.
 *
 * Context: the thread that owns the connection.
 */
import * as clock from '../../core/clock';
import {
  CALLER_SLEEPING,
  REPLIES,
  REPLY_SOON,
  SLEEPING,
  SLEEPING_WAKE_SOON,
} from '../transport/protocol';
import {
  AdaptiveSpin,
  LatencyBudget,
  coreCheck,
  spinUntilChanged,
} from '../transport/adaptive-spin';
import { SIGNAL_CHECK_MS, checkSignals } from './signals';
import { NEAR_DEADLINE_MS, threadTimekeeper, type Timekeeper } from './timekeeper';

/**
 * The longest a caller spins on the reply counter before it sleeps in Atomics.wait (µs). How
 * long it really spins follows its replies (LatencyBudget): twice their typical time, at least
 * MIN_CALLER_SPIN_US.
 */
export const DEFAULT_CALLER_SPIN_US = 250;
/** The least a spinning caller spins for a reply (µs), when its cap is at least that. */
const MIN_CALLER_SPIN_US = 50;
/** Longest single Atomics.wait: how late a silent host death or a shared stop is noticed. */
const SLICE_MS = 50;
/**
 * Longest spin after an early wake (REPLY_SOON) before sleeping again, in µs. Adaptive like the
 * other spins (twice the typical wait for a reply after an early wake, at least
 * MIN_EARLY_WAKE_SPIN_US): with the host on this thread's own core (a machine short of cores,
 * or both threads placed on one core for a while), the spinner holds the core the host needs to
 * finish the reply, and a spin of 500 µs each time made such calls 30x slower.
 */
export const SOON_SPIN_US = 500;
/** The least an early-woken caller spins (µs). */
export const MIN_EARLY_WAKE_SPIN_US = 50;

/** What a wait takes its replies from: the connection. */
export interface ReplySource {
  /** Takes every message that has arrived and dispatches it. */
  drain(): void;
  /** Whether the host is still running. */
  readonly up: boolean;
  /** The host is down: every pending call fails. */
  hostDown(): void;
  /** The error for a call on a host that is not running. */
  downError(what: string): Error;
  /** A signal's shutdown stopped the reactor while this thread waited. */
  stopSeen(): void;
  /** After a sleep: whether the host's worker was just found dead (worker-liveness.ts). */
  probe(now: number): boolean;
}

export class ReplyWait {
  private readonly spin: AdaptiveSpin;
  /** How long to spin for a reply, from how long replies have been taking. */
  private readonly budget: LatencyBudget;
  /** The spin after an early wake (REPLY_SOON), and how long it lasts. */
  private readonly soonSpin: AdaptiveSpin;
  private readonly soonBudget = new LatencyBudget(MIN_EARLY_WAKE_SPIN_US, SOON_SPIN_US);
  /** This thread's timekeeper once it runs, and this connection's registration with it. */
  private keeper: Timekeeper | undefined;
  private ticket = 0;

  constructor(
    private readonly control: Int32Array,
    spinMicros: number,
  ) {
    // Any reply that comes within the budget means spinning paid.
    this.spin = new AdaptiveSpin(spinMicros, spinMicros);
    this.budget = new LatencyBudget(MIN_CALLER_SPIN_US, spinMicros);
    this.soonSpin = new AdaptiveSpin(spinMicros > 0 ? SOON_SPIN_US : 0, SOON_SPIN_US);
  }

  /** Blocks until `done()` or the timeout, taking replies from `source` as they come. */
  wait(source: ReplySource, done: () => boolean, timeoutMs: number): 'settled' | 'timeout' {
    const started = clock.now();
    const deadline = started + timeoutMs;
    // The clock is read only when needed: -1 after a wait, until the next look at it.
    let now = started;
    let spinUntil = -1;
    // Early wakes (REPLY_SOON) only while a core is free for the spin after one.
    let soonMs = 0;
    // Whether the reply's time sets the next spins' budgets: when spinning was possible, and
    // unless a spin ran out. With the host on this thread's core, a reply comes only once the
    // spin gives up, and budgets that learnt from such replies grew to their cap (measured:
    // 100 KB echoes 56 µs against 42 µs with spinning off). Replies slept for without spinning
    // (spinning stopped) are learnt from: how a call whose body waits on I/O longer than the
    // current budget gets a budget that catches it, at the next probe.
    let learn = false;
    for (;;) {
      const seen = Atomics.load(this.control, REPLIES);
      source.drain();
      if (done()) {
        if (learn) this.budget.observed(clock.now() - started);
        return 'settled';
      }
      if (!source.up) {
        source.hostDown();
        if (done()) return 'settled';
        // Nothing pending could settle it (a start that failed): the host is gone for good.
        throw source.downError('the call');
      }
      if (now < 0) {
        now = clock.now();
        if (source.probe(now)) continue;
        if (now - started >= SIGNAL_CHECK_MS) {
          if (checkSignals(started)) source.stopSeen();
          // Its loop turn may have run anything (a timer calling stop()): look again first.
          continue;
        }
      }
      if (now >= deadline) return 'timeout';
      if (spinUntil < 0) {
        spinUntil = now;
        if (!coreCheck.update(now)) {
          learn = true;
          if (this.spin.nextMs() > 0) spinUntil = now + this.budget.nextMs();
          soonMs = this.soonSpin.nextMs();
        }
      }
      if (now < spinUntil) {
        const arrived = spinUntilChanged(this.control, REPLIES, seen, spinUntil);
        now = clock.now();
        if (arrived) this.spin.worked(now - started);
        else {
          this.spin.failed();
          learn = false;
        }
        continue;
      }
      const soon = Atomics.load(this.control, REPLY_SOON);
      const timekeeper = deadline - now > NEAR_DEADLINE_MS ? this.timekeeper() : null;
      Atomics.store(this.control, CALLER_SLEEPING, soonMs > 0 ? SLEEPING_WAKE_SOON : SLEEPING);
      if (timekeeper === null) {
        Atomics.wait(this.control, REPLIES, seen, Math.min(SLICE_MS, deadline - now));
      } else {
        // After the flag (see timekeeper.ts): an idle timekeeper is woken, or it sees the flag.
        timekeeper.sleeping();
        Atomics.wait(this.control, REPLIES, seen);
      }
      Atomics.store(this.control, CALLER_SLEEPING, 0);
      if (soonMs > 0 && Atomics.load(this.control, REPLY_SOON) !== soon) {
        this.awaitSoonReply(seen, soonMs);
      }
      now = -1;
    }
  }

  /**
   * This thread's timekeeper when it runs and has read this connection's registration: the
   * caller may then sleep untimed, the tick being its slice. Null otherwise (sleep timed).
   */
  private timekeeper(): Timekeeper | null {
    if (this.keeper === undefined) {
      const keeper = threadTimekeeper();
      if (keeper === null) return null;
      this.keeper = keeper;
      this.ticket = keeper.register(this.control);
    }
    return this.keeper.covers(this.ticket) ? this.keeper : null;
  }

  /**
   * Woken early (REPLY_SOON): the host is cloning a reply right now. Spin until it is posted,
   * for at most `budgetMs` (a huge reply, a preempted host), then go back to sleeping.
   */
  private awaitSoonReply(seen: number, budgetMs: number): void {
    const start = clock.now();
    const until = start + Math.min(budgetMs, this.soonBudget.nextMs());
    if (!spinUntilChanged(this.control, REPLIES, seen, until)) {
      // Not observed: with the host on this core, the reply comes only once the spin gives up,
      // and budgets that learnt from such waits grew to their cap.
      this.soonSpin.failed();
      return;
    }
    const waited = clock.now() - start;
    this.soonSpin.worked(waited);
    this.soonBudget.observed(waited);
  }
}
