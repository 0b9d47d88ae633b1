/**
 * When the host spins instead of going back to its event loop (docs/reactor-threads.md, "Spin
 * budget"): after replying to a blocking call it polls every connection for the next request,
 * and after a heads-up it polls for the call being announced. Neither happens while the machine
 * has no core to spare (CoreCheck); both budgets adapt (see adaptive-spin.ts), a burst never
 * holds the loop longer than MAX_BURST_MS, and HOST_IDLE tells callers when a heads-up is worth
 * posting.
 *
 * Context: the host's thread.
 */
import * as clock from '../../core/clock';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  AdaptiveSpin,
  LatencyBudget,
  coreCheck,
  spinUntil,
  spinUntilChanged,
} from '../transport/adaptive-spin';
import { HostConnection } from './host-connection';
import { HOST_IDLE, REQUESTS, type Request } from '../transport/protocol';

/** How long the host keeps spinning for the next request after a reply, in microseconds. */
export const DEFAULT_HOST_SPIN_US = 50;
/** A burst of spinning never holds the event loop longer than this (ms) without a loop turn. */
const MAX_BURST_MS = 2;
/**
 * Longest wait, spinning, for the call that a heads-up announced (µs). Adaptive (twice the
 * typical wait, at least MIN_HEADS_UP_SPIN_US): with the caller on this thread's core the host
 * would hold the core the caller needs to clone the call.
 */
export const HEADS_UP_SPIN_US = 500;
const MIN_HEADS_UP_SPIN_US = 50;

/** What the spin hands a request it took to. */
export type TakeRequest = (connection: HostConnection, request: Request) => void;

export class HostSpin {
  private readonly budget: AdaptiveSpin;
  /** The spin for a call a heads-up announced. */
  private readonly headsUpSpin: AdaptiveSpin;
  /** Its budget, drawn when the host last went idle (ms; 0: none). */
  private headsUpMs: number;
  /** How long announced calls have taken to arrive (spins that saw them). */
  private readonly headsUpBudget = new LatencyBudget(MIN_HEADS_UP_SPIN_US, HEADS_UP_SPIN_US);
  /** Mirrors HOST_IDLE in the shared state. */
  private idle: boolean;
  private spinning = false;
  private burstStart = 0;
  private repliedInSpin = false;
  /** The spin after a reply: when its budget started and runs out (ms). */
  private spinStart = 0;
  private deadline = 0;
  /** How the spin after a reply ended: a call left running, or its budget gone. */
  private callRunning = false;
  private spinOver = false;

  constructor(
    spinMicros: number,
    private readonly state: Int32Array,
    private readonly connections: Iterable<HostConnection>,
    private readonly take: TakeRequest,
  ) {
    this.budget = new AdaptiveSpin(spinMicros);
    this.headsUpSpin = new AdaptiveSpin(spinMicros > 0 ? HEADS_UP_SPIN_US : 0, HEADS_UP_SPIN_US);
    this.headsUpMs = this.headsUpSpin.nextMs();
    this.idle = this.headsUpMs > 0;
    Atomics.store(this.state, HOST_IDLE, this.idle ? 1 : 0);
  }

  /** A request arrived through the event loop: a burst starts. */
  arrived(): void {
    // Only a spin reads it (none while the machine is crowded; a stale one ends a burst early).
    if (!coreCheck.crowded) this.burstStart = clock.now();
    this.busy();
  }

  /**
   * A heads-up arrived: its call is being cloned right now. Take it as soon as it is posted,
   * without waiting for another loop wake-up; after the heads-up budget the loop delivers it.
   */
  awaitAnnounced(connection: HostConnection): void {
    // A stale heads-up (posted as spinning for them stopped): the loop delivers the call.
    if (this.headsUpMs <= 0 || coreCheck.crowded) return;
    const start = clock.now();
    const until = start + Math.min(this.headsUpMs, this.headsUpBudget.nextMs());
    while (spinUntilChanged(connection.control, REQUESTS, connection.handled, until)) {
      const received = receiveMessageOnPort(connection.channel as unknown as MessagePort);
      if (received !== undefined) {
        const waited = clock.now() - start;
        this.headsUpSpin.worked(waited);
        this.headsUpBudget.observed(waited);
        connection.handled += 1;
        this.take(connection, received.message as Request);
        return;
      }
      // Counted but not readable yet (the listener may have it): keep to the deadline.
      if (clock.now() >= until) break;
    }
    // Not observed: with the caller on this core, the call comes only once the spin gives up,
    // and a budget that learnt from such waits grew to its cap.
    this.headsUpSpin.failed();
  }

  /**
   * Spin-before-sleep, right after replying to a blocking call: the next call from a
   * back-to-back caller usually follows within microseconds. Polling the request counters takes
   * it without waiting for a loop wake-up (tens of microseconds).
   */
  afterBlockingReply(): void {
    if (this.spinning) {
      this.repliedInSpin = true;
      return;
    }
    const now = clock.now();
    if (now - this.burstStart > MAX_BURST_MS || coreCheck.update(now)) {
      this.goIdle();
      return;
    }
    const budget = this.budget.nextMs();
    if (budget <= 0) {
      this.goIdle();
      return;
    }
    this.spinning = true;
    // Every way out but a call left running (whose reply spins again) goes back to the loop
    // idle, with `idle` set so that the next caller posts a heads-up.
    this.callRunning = false;
    this.spinOver = false;
    try {
      this.spinStart = clock.now();
      this.deadline = this.spinStart + budget;
      for (;;) {
        const burstEnd = this.burstStart + MAX_BURST_MS;
        const until = Math.min(this.deadline, burstEnd);
        const gaveUpAt = spinUntil(() => this.takeRequests(), until, 16);
        if (gaveUpAt !== 0) {
          // A caller that slept through the reply calls again only after its wake-up, so this
          // says less about spinning: stopping at once here left both sides asleep, each spin
          // failing for want of the other. It still counts a little: with the caller on this
          // core, it is this spin that keeps it from calling. A burst that ends first is no
          // failure.
          if (gaveUpAt >= this.deadline) this.budget.failed(HostConnection.callerAsleep ? 0.5 : 1);
          return;
        }
        if (this.callRunning || this.spinOver) return;
      }
    } finally {
      this.spinning = false;
      if (!this.callRunning) this.goIdle();
    }
  }

  /**
   * One pass of the spin after a reply over every connection's request counter, taking each
   * request that has arrived; true when the spin must stop (a call left running, the budget
   * gone) or start over with the fresh budget of a call that replied at once.
   */
  private takeRequests(): boolean {
    let taken = false;
    for (const connection of this.connections) {
      if (Atomics.load(connection.control, REQUESTS) === connection.handled) continue;
      const received = receiveMessageOnPort(connection.channel as unknown as MessagePort);
      if (received === undefined) continue;
      this.budget.worked(clock.now() - this.spinStart);
      connection.handled += 1;
      this.repliedInSpin = false;
      this.busy();
      this.take(connection, received.message as Request);
      // A call that settled synchronously has replied: keep spinning for the next one.
      // Otherwise stop, so that its promise can settle; its reply spins again.
      if (!this.repliedInSpin) {
        this.callRunning = true;
        return true;
      }
      const budget = this.budget.nextMs();
      if (budget <= 0) {
        this.spinOver = true;
        return true;
      }
      this.spinStart = clock.now();
      this.deadline = this.spinStart + budget;
      taken = true;
    }
    return taken;
  }

  /** Working: callers need not post heads-ups (HOST_IDLE), written only when it changes. */
  private busy(): void {
    if (this.idle) {
      this.idle = false;
      Atomics.store(this.state, HOST_IDLE, 0);
    }
  }

  /**
   * Back to the event loop with nothing to spin for: callers post heads-ups (HOST_IDLE), while
   * spinning for the call a heads-up announces pays off.
   */
  private goIdle(): void {
    this.headsUpMs = coreCheck.crowded ? 0 : this.headsUpSpin.nextMs();
    const idle = this.headsUpMs > 0;
    if (idle !== this.idle) {
      this.idle = idle;
      Atomics.store(this.state, HOST_IDLE, idle ? 1 : 0);
    }
  }
}
