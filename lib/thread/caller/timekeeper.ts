/**
 * The timekeeper: a tiny worker that wakes this thread's sleeping callers every TICK_MS, so
 * that their `Atomics.wait` needs no timeout while their deadline is far.
 *
 * Why: a caller must never sleep unbounded. It has to notice, within a slice, a host that died
 * without telling anyone, a stop signalled only through the shared state and (main thread) a
 * SIGINT. Bounded waits did that, but on Node.js 22 and later a timed `Atomics.wait` costs about
 * 1.3 µs more than an untimed one (V8's timed futex path; 0.3 µs on Node.js 20), measured with
 * both threads on one core: most of what a blocking call into a reactor thread cost above
 * synckit's on a machine with no core to spare. With a timekeeper running, a caller whose
 * deadline is more than NEAR_DEADLINE_MS away sleeps untimed, and the tick is its slice.
 * Deadlines keep their precision: a caller woken by a tick near its deadline sleeps timed for
 * the rest, as does every caller while no timekeeper runs (not started yet, or it could not be).
 *
 * The protocol, all on sequentially consistent atomics:
 * - the timekeeper's own words (TK_*): RUNNING (1 from the moment its loop runs, 0 once it
 *   ends, for any reason: its loop's `finally` then wakes every registered caller), ACKED (how
 *   many registrations it has read: a caller sleeps untimed only once its own is among them),
 *   MODE (ticking or idle);
 * - each tick it notifies every registered connection whose caller sleeps (CALLER_SLEEPING),
 *   a wake-up that caller treats like the end of a slice;
 * - after IDLE_AFTER_TICKS ticks with nobody asleep it goes idle: it stores MODE_IDLE, looks at
 *   the callers once more, and sleeps untimed on MODE unless one sleeps. A caller about to sleep
 *   untimed sets CALLER_SLEEPING, then reads MODE, and wakes an idle timekeeper. Either the
 *   timekeeper's second look sees the caller's flag, or the caller sees MODE_IDLE: no caller
 *   sleeps without a tick. An idle process pays nothing: no thread wakes.
 *
 * One timekeeper per calling thread, started once it has slept DEFAULT_START_AFTER_SLEEPS times
 * (before, and where no worker can be started, its waits are timed), unref'd
 * (it never keeps the process alive), with no `execArgv` (preloads of the application are not
 * its business). Its code is a string: it must run whatever compiled or loaded this module.
 *
 * Context: the thread whose callers it serves (every method here runs on that thread).
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CALLER_SLEEPING, REPLIES } from '../transport/protocol';

/** How often a sleeping caller is woken to look at its host, its deadline and signals (ms). */
export const TICK_MS = 50;
/** A caller whose deadline is closer than this sleeps timed, for the precision of its timeout. */
export const NEAR_DEADLINE_MS = 2 * TICK_MS;
/** Ticks with nobody asleep before the timekeeper goes idle (a quarter of a second). */
const IDLE_AFTER_TICKS = 5;

const TK_RUNNING = 0;
const TK_ACKED = 1;
const TK_MODE = 2;
const TK_TICK = 3;
const TK_SLOTS = 4;
const MODE_TICKING = 0;
const MODE_IDLE = 1;

/** The worker's code: plain JavaScript (see the module comment for the protocol). */
const TIMEKEEPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { tk, port, slots } = workerData;
const words = new Int32Array(tk);
const controls = [];
let acked = 0;
function register() {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    controls.push(new Int32Array(m.message));
    acked += 1;
  }
  Atomics.store(words, ${TK_ACKED}, acked);
}
function wakeSleepers() {
  let asleep = false;
  for (const control of controls) {
    if (Atomics.load(control, slots.sleeping) !== 0) {
      asleep = true;
      Atomics.notify(control, slots.replies);
    }
  }
  return asleep;
}
function anyAsleep() {
  for (const control of controls) if (Atomics.load(control, slots.sleeping) !== 0) return true;
  return false;
}
try {
  Atomics.store(words, ${TK_RUNNING}, 1);
  let quiet = 0;
  for (;;) {
    register();
    quiet = wakeSleepers() ? 0 : quiet + 1;
    if (quiet < ${IDLE_AFTER_TICKS}) {
      Atomics.wait(words, ${TK_TICK}, 0, ${TICK_MS});
      continue;
    }
    Atomics.store(words, ${TK_MODE}, ${MODE_IDLE});
    register();
    if (!anyAsleep()) Atomics.wait(words, ${TK_MODE}, ${MODE_IDLE});
    Atomics.store(words, ${TK_MODE}, ${MODE_TICKING});
    quiet = 0;
  }
} finally {
  Atomics.store(words, ${TK_RUNNING}, 0);
  for (const control of controls) Atomics.notify(control, slots.replies);
}
`;

/** This thread's timekeeper, as its callers see it. */
export class Timekeeper {
  private readonly words = new Int32Array(new SharedArrayBuffer(TK_SLOTS * 4));
  private readonly port: MessagePort;
  private registered = 0;

  /** Starts the worker; throws what `new Worker` throws (callers then keep timed waits). */
  constructor() {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(TIMEKEEPER_SOURCE, {
      eval: true,
      execArgv: [],
      name: 'crochet timekeeper',
      workerData: {
        tk: this.words.buffer,
        port: port2,
        slots: { sleeping: CALLER_SLEEPING, replies: REPLIES },
      },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    // Its end is noticed through RUNNING (this thread may be blocked when it happens); the event
    // only keeps an unexpected error from becoming this thread's uncaught exception.
    worker.on('error', () => undefined);
    port1.unref();
    this.port = port1;
  }

  /**
   * Registers a connection's control array; returns the number the timekeeper acknowledges
   * once it has read it (see `covers`).
   */
  register(control: Int32Array): number {
    this.port.postMessage(control.buffer);
    this.registered += 1;
    // An idle timekeeper reads registrations only once awake.
    this.sleeping();
    return this.registered;
  }

  /** Whether registration `ticket` is read and the timekeeper runs: its caller may sleep untimed. */
  covers(ticket: number): boolean {
    return (
      Atomics.load(this.words, TK_RUNNING) === 1 && Atomics.load(this.words, TK_ACKED) >= ticket
    );
  }

  /**
   * A caller has set CALLER_SLEEPING for an untimed wait (or registered): an idle timekeeper
   * ticks again.
   */
  sleeping(): void {
    if (Atomics.load(this.words, TK_MODE) !== MODE_IDLE) return;
    Atomics.store(this.words, TK_MODE, MODE_TICKING);
    Atomics.notify(this.words, TK_MODE);
  }

  /** Whether the timekeeper is idle (for specs). */
  get idle(): boolean {
    return Atomics.load(this.words, TK_MODE) === MODE_IDLE;
  }
}

/**
 * Sleeps a thread makes before it starts its timekeeper. A worker costs 9-18 MB of memory and
 * 10-30 ms of CPU to start, and saves about 1 µs per sleep: worth it for a thread that makes
 * many calls, not for a command-line tool that makes a few.
 */
export const DEFAULT_START_AFTER_SLEEPS = 10_000;
let startAfterSleeps = DEFAULT_START_AFTER_SLEEPS;
let sleeps = 0;
let mine: Timekeeper | null | undefined;

/**
 * This thread's timekeeper, started once the thread has slept `startAfterSleeps` times; null
 * until then, and for good where a worker cannot be started.
 */
export function threadTimekeeper(): Timekeeper | null {
  if (mine !== undefined) return mine;
  sleeps += 1;
  if (sleeps < startAfterSleeps) return null;
  try {
    mine = new Timekeeper();
  } catch {
    mine = null;
  }
  return mine;
}

/** For specs: start this thread's timekeeper after `count` sleeps (0: at the next). */
export function startTimekeeperAfter(count: number): void {
  startAfterSleeps = count;
}
