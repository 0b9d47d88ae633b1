/**
 * The service the soak run (bench/soak.ts) calls through both reactors: the same class is used
 * in-thread (through `facade()` and decorated wrappers) and hosted on a reactor thread
 * (`reactorThread.load(...).create('SoakService', [board], ...)`).
 *
 * Every call carries a `CallSpec`: its id, how long its body takes, whether it fails, whether it
 * honours its `currentSignal()`, and a random nonce. A value or an error is built from the spec,
 * so the caller can tell that an outcome belongs to ITS call. The body writes what it did (started,
 * ended, aborted, when, in which order) into a `StatusBoard` in shared memory, which the caller
 * reads to judge timing-dependent outcomes (was the body done before the deadline, before cancel()?).
 */
import { blockingBody, currentSignal, eventualBody, registerErrorClass } from '../lib';
import { runInReactor, waitFor, type EventualResult } from '../lib';

/** What a soak call asks its body to do. Plain data: it crosses threads by structured clone. */
export interface CallSpec {
  readonly id: number;
  /** Body length in ms (0: settles without a timer). */
  readonly ms: number;
  readonly fail: boolean;
  /** Whether the body stops (rejecting with the abort reason) when its signal aborts. */
  readonly honour: boolean;
  /** How a 0 ms body settles: returns/throws, returns a settled promise, or awaits once. */
  readonly shape: 'sync' | 'promise' | 'async';
  readonly nonce: number;
}

/** The value of a successful call. */
export interface SoakValue {
  readonly id: number;
  readonly nonce: number;
  readonly ms: number;
}

/** The error of a failing call: its message and own properties name the call. */
export class SoakFailure extends Error {
  override name = 'SoakFailure';
  constructor(
    readonly callId: number,
    readonly nonce: number,
  ) {
    super(`soak call ${callId} failed (nonce ${nonce})`);
  }
}
// Rebuilt as the same class when it crosses from the reactor thread (registered in both threads).
registerErrorClass(SoakFailure);

/** Monotonic milliseconds, comparable between threads (CLOCK_MONOTONIC, no per-thread origin). */
export function monotonicMs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e3 + nanos / 1e6;
}

/** Slots in a board: a call's slot is `id % SLOTS`; the slot records its id to detect reuse. */
export const SLOTS = 1 << 17;
const INT_HEADER = 4;
const INTS_PER_SLOT = 4;
const STARTED = 1;
const DONE = 2;
const ABORTED = 4;

/** What a body did, as the caller reads it. */
export interface BodyStatus {
  readonly started: boolean;
  /** The body settled (naturally or after its abort). */
  readonly done: boolean;
  /** The body settled because its signal aborted (an honouring body). */
  readonly aborted: boolean;
  /** Start order of the bodies of this board, from 1. */
  readonly seq: number;
  readonly startAt: number;
  readonly endAt: number;
}

/**
 * Per-call status in a SharedArrayBuffer: written by bodies (in either thread), read by the
 * caller. Int32 header: [0] the start counter. Per slot: id, flags, start sequence; then the
 * start and end times as Float64.
 */
export class StatusBoard {
  private readonly ints: Int32Array;
  private readonly times: Float64Array;

  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer((INT_HEADER + SLOTS * INTS_PER_SLOT) * 4 + SLOTS * 2 * 8);
  }

  constructor(readonly buffer: SharedArrayBuffer) {
    const intBytes = (INT_HEADER + SLOTS * INTS_PER_SLOT) * 4;
    this.ints = new Int32Array(buffer, 0, intBytes / 4);
    this.times = new Float64Array(buffer, intBytes, SLOTS * 2);
  }

  /** Caller side, before the call: claims the slot for `id`, nothing started. */
  prepare(id: number): void {
    const base = INT_HEADER + (id % SLOTS) * INTS_PER_SLOT;
    Atomics.store(this.ints, base + 1, 0);
    Atomics.store(this.ints, base + 2, 0);
    Atomics.store(this.ints, base, id);
  }

  begin(id: number): void {
    const slot = id % SLOTS;
    const base = INT_HEADER + slot * INTS_PER_SLOT;
    if (Atomics.load(this.ints, base) !== id) return;
    this.times[slot * 2] = monotonicMs();
    Atomics.store(this.ints, base + 2, Atomics.add(this.ints, 0, 1) + 1);
    Atomics.store(this.ints, base + 1, STARTED);
  }

  end(id: number, aborted: boolean): void {
    const slot = id % SLOTS;
    const base = INT_HEADER + slot * INTS_PER_SLOT;
    if (Atomics.load(this.ints, base) !== id) return;
    this.times[slot * 2 + 1] = monotonicMs();
    Atomics.store(this.ints, base + 1, STARTED | DONE | (aborted ? ABORTED : 0));
  }

  /** The status of call `id`, or undefined when its slot was taken by a later call. */
  read(id: number): BodyStatus | undefined {
    const slot = id % SLOTS;
    const base = INT_HEADER + slot * INTS_PER_SLOT;
    const flags = Atomics.load(this.ints, base + 1);
    if (Atomics.load(this.ints, base) !== id) return undefined;
    return {
      started: (flags & STARTED) !== 0,
      done: (flags & DONE) !== 0,
      aborted: (flags & ABORTED) !== 0,
      seq: Atomics.load(this.ints, base + 2),
      startAt: this.times[slot * 2] ?? Number.NaN,
      endAt: this.times[slot * 2 + 1] ?? Number.NaN,
    };
  }
}

/** The body every soak call runs, in whichever thread hosts it. */
export function soakBody(board: StatusBoard, spec: CallSpec): SoakValue | Promise<SoakValue> {
  board.begin(spec.id);
  const outcome = (): SoakValue => {
    if (spec.fail) throw new SoakFailure(spec.id, spec.nonce);
    return { id: spec.id, nonce: spec.nonce, ms: spec.ms };
  };
  if (spec.ms === 0) {
    switch (spec.shape) {
      case 'sync':
        board.end(spec.id, false);
        return outcome();
      case 'promise':
        board.end(spec.id, false);
        try {
          return Promise.resolve(outcome());
        } catch (error) {
          return Promise.reject(error as Error);
        }
      case 'async':
        return (async () => {
          await null;
          board.end(spec.id, false);
          return outcome();
        })();
    }
  }
  const signal = spec.honour ? currentSignal() : undefined;
  return new Promise<SoakValue>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      board.end(spec.id, true);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      board.end(spec.id, false);
      try {
        resolve(outcome());
      } catch (error) {
        reject(error as Error);
      }
    }, spec.ms);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The soak service. `run`, `runAlt` and `runDecorated` are blocking (the facade's `timeoutMs`,
 * a per-method `timeouts` entry, and the decorator's 150 ms); `start` and `startDecorated` are
 * eventual.
 */
export class SoakService {
  private readonly board: StatusBoard;

  constructor(buffer: SharedArrayBuffer) {
    this.board = new StatusBoard(buffer);
  }

  run(spec: CallSpec): SoakValue | Promise<SoakValue> {
    return soakBody(this.board, spec);
  }

  runAlt(spec: CallSpec): SoakValue | Promise<SoakValue> {
    return soakBody(this.board, spec);
  }

  @waitFor(150)
  runDecorated(spec: CallSpec): SoakValue {
    return blockingBody(() => soakBody(this.board, spec));
  }

  start(spec: CallSpec): SoakValue | Promise<SoakValue> {
    return soakBody(this.board, spec);
  }

  @runInReactor
  startDecorated(spec: CallSpec): EventualResult<SoakValue> {
    return eventualBody(() => soakBody(this.board, spec));
  }
}
