/**
 * The blocking primitive: pump the calling thread's own event loop until a pending operation
 * settles, its timeout passes, or it becomes clear that it can never settle.
 *
 * Every in-thread wait goes through {@link blockUntilSettled} (reactor-thread callers block on
 * `Atomics.wait` instead: lib/thread/caller/connection.ts); the pump itself (deasync's
 * `uv_run(UV_RUN_ONCE)` plus a microtask drain) is an injected collaborator so that specs can
 * count or replace it.
 *
 * Rules this module enforces, and why:
 * - Inside a microtask V8 will not run a nested microtask checkpoint, so nothing awaited can ever
 *   settle: refuse at once with {@link DeadlockError} ('in-microtask') instead of spinning.
 * - A loop with nothing ref'd in it makes `uv_run` return at once, so pumping it would spin a
 *   core: when an iteration makes no progress and Node's own liveness rule says the loop is dead
 *   (the point where a plain script would exit), refuse with 'nothing-pending'.
 * - Deadlines are enforced by a real timer (real even under a test's fake timers, see clock.ts),
 *   so the loop wakes on time; our own wake-ups do not count as liveness, and neither does a
 *   timer the application unref'd, exactly as it would not keep a script alive.
 *
 * Context: call only on the thread that owns the loop, from synchronous code.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { clearRealImmediate, now, setRealImmediate } from './clock';
import { microtaskRefusal } from './entry-loader';
import { immediateBatchPosition, releaseStaleImmediateRef } from './immediates';
import {
  callbackResource,
  closesWaiting,
  holdCallbackHandle,
  runningTimerCount,
} from './callback-handle';
import { WakeUp, armedWakeUpCount } from './wake-up';
import { CrochetError, DeadlockError } from '../errors';
import { messages } from '../messages';

/**
 * What the blocking loop needs from an event loop (the real one:
 * `defaultCollaborators().pump`, deasync's). A spec can wrap it to count or slow down steps.
 *
 * Context: called by a controller on its own thread, from synchronous code, while a call blocks.
 */
export interface EventLoopPump {
  /** Runs queued `process.nextTick` callbacks and promise jobs. */
  drainMicrotasks(): void;
  /** Runs one loop iteration; blocks until at least one event when the loop is alive. */
  runOnce(): void;
  /** Node's liveness rule: is anything ref'd (timers, sockets, requests...) keeping the loop alive? */
  hasLiveWork(): boolean;
}

/** Something a caller can block on. */
export interface Waitable {
  readonly settled: boolean;
}

export type BlockOutcome = 'settled' | 'timeout';

interface DeasyncBinding {
  run(): void;
}

type TickDrainer = () => void;

/**
 * The pump of the calling thread's loop. deasync's binary is loaded on the first loop step, not
 * before: loading crochet, reactor threads, and in-thread calls whose body settles within the
 * first microtask drain never need it, so they work where deasync has no prebuilt binary
 * (npm 11 does not run its install script). If it cannot be loaded, the blocking call that
 * needed it throws a CrochetError naming deasync, the platform and the alternatives.
 * `loadStep` is for specs that simulate a missing binary.
 */
export function createDeasyncPump(loadStep: () => () => void = loadRunOnce): EventLoopPump {
  // process._tickCallback is the only synchronous way to drain nextTicks and promise jobs; it is
  // a documentation-only deprecation (DEP0134) and warns only under --pending-deprecation.
  const drain = (process as unknown as { _tickCallback: TickDrainer })._tickCallback;
  let step: (() => void) | undefined;
  return {
    drainMicrotasks: drain,
    runOnce: () => {
      step ??= loadOrExplain(loadStep);
      step();
    },
    // Our own armed wake-ups are ref'd timers too; they do not count, and neither does the
    // timer whose callback is running (it cannot fire again before the call returns).
    hasLiveWork: () =>
      process.getActiveResourcesInfo().length > armedWakeUpCount() + runningTimerCount(),
  };
}

function loadOrExplain(loadStep: () => () => void): () => void {
  try {
    return loadStep();
  } catch (error) {
    throw new CrochetError(
      messages.deasyncUnavailable(`${process.platform}-${process.arch}`, process.versions.node),
      { cause: error },
    );
  }
}

/**
 * Loads deasync's prebuilt binary directly (the same per-platform file deasync's own entry point
 * picks) so that draining and running the loop are separate steps; falls back to deasync's
 * `runLoopOnce` (a binary built by its install script) when there is no prebuilt one.
 */
function loadRunOnce(): () => void {
  const localRequire = createRequire(__filename);
  const root = path.dirname(localRequire.resolve('deasync/package.json'));
  const [major, minor] = process.versions.node.split('.');
  const platform = `${process.platform}-${process.arch}`;
  for (const version of [`${major}.${minor}`, `${major}`]) {
    const file = path.join(root, 'bin', `${platform}-node-${version}`, 'deasync.node');
    if (fs.existsSync(file)) {
      const binding = localRequire(file) as DeasyncBinding;
      return () => binding.run();
    }
  }
  const deasync = localRequire('deasync') as { runLoopOnce(): void };
  return () => deasync.runLoopOnce();
}

const settledPromise = Promise.resolve();
let probeRan = false;
const markProbeRan = (): void => {
  probeRan = true;
};

/** Queues a promise job and drains: if it did not run, the caller is itself inside one. */
function insideMicrotask(pump: EventLoopPump): boolean {
  probeRan = false;
  void settledPromise.then(markProbeRan);
  pump.drainMicrotasks();
  return !probeRan;
}

/**
 * Pumps the loop until `cell` settles or `timeoutMs` passes. Returns which happened; throws
 * {@link DeadlockError} when blocking here could never end. `what` names the call in messages.
 *
 * Context: synchronous code on the loop's own thread. Re-entrant: a callback run by the pump may
 * block again (the inner call must return before the outer one can).
 */
export function blockUntilSettled(
  pump: EventLoopPump,
  cell: Waitable,
  timeoutMs: number,
  what: string,
): BlockOutcome {
  // Before the drain only while a close held back by an earlier call waits for its tick (the
  // drain would run it): callback-handle.ts.
  const early = closesWaiting() ? holdCallbackHandle() : undefined;
  if (early === 'closing') throw handleClosing(what);
  try {
    return blockHeld(pump, cell, timeoutMs, what);
  } finally {
    early?.();
  }
}

function handleClosing(what: string): DeadlockError {
  return new DeadlockError(messages.handleClosing(what), 'handle-closing');
}

function blockHeld(
  pump: EventLoopPump,
  cell: Waitable,
  timeoutMs: number,
  what: string,
): BlockOutcome {
  pump.drainMicrotasks();
  if (cell.settled) return 'settled';
  // Only now, when the first drain did not settle the cell, is it worth checking whether the
  // drain could run anything at all.
  if (insideMicrotask(pump)) {
    throw new DeadlockError(microtaskRefusal(what), 'in-microtask');
  }
  if (timeoutMs <= 0) return 'timeout';
  const resource = callbackResource();
  const batch = immediateBatchPosition(resource);
  if (batch === 'later') {
    throw new DeadlockError(messages.inImmediateBatch(what), 'in-immediate-batch');
  }
  // The handle whose callback this is must not close while the loop turns here (holds nest:
  // an early one taken above simply counts twice).
  const release = holdCallbackHandle(resource);
  if (release === 'closing') throw handleClosing(what);
  try {
    return pumpUntil(pump, cell, timeoutMs, what, batch);
  } finally {
    release();
  }
}

function pumpUntil(
  pump: EventLoopPump,
  cell: Waitable,
  timeoutMs: number,
  what: string,
  batch: 'none' | 'first',
): BlockOutcome {
  // Before the other callbacks of its immediate batch: they cannot run until this call returns,
  // and while they wait Node keeps the loop from sleeping, so every uv_run returns at once.
  // Nap between iterations instead of spinning (events that arrive meanwhile wait up to 1 ms).
  const napMs = batch === 'first' ? 1 : 0;
  const deadline = now() + timeoutMs;
  // A real timer wakes the loop at the deadline; it does not count as liveness (armedWakeUps).
  // The first wake-up comes after 1 ms, then it is re-armed for the time really left: inside a
  // timer callback Node has not re-armed its one libuv timer yet, so other due timers would not
  // fire (and a loop with only JS timers would return at once and spin) until a newly created
  // timer comes due. The early wake-up runs Node's timer processing, which re-arms it. Re-arming
  // also corrects Node's cached loop clock, from which timers start and which can lag behind.
  // Real timers and clock (clock.ts): a test's fake timers must not fake our deadline.
  let wakeUp = new WakeUp(Math.min(timeoutMs, 1));
  // Set once the first turn did not settle the cell.
  let turnedOnce = false;
  try {
    for (;;) {
      // A wake-up that found no list of its own may arm nothing, and a loop kept alive by
      // anything else would then sleep past the deadline: this iteration polls without sleeping
      // (a pending immediate keeps uv_run from waiting) and naps below instead.
      const unbounded = !wakeUp.ownList && !wakeUp.fired;
      const keepAwake = unbounded ? setRealImmediate(noop) : undefined;
      // Node's one libuv timer can be left unref'd with ref'd timers pending: a nested timer
      // run that empties the list being run (a body's 1 ms timer inside a 1 ms callback) ends
      // with uv_unref, and later timers do not ref it again. uv_run then saw the loop dead and
      // returned at once: a second call in a timer callback spun a core to its timeout. An idle
      // ref'd port keeps the loop alive (timers still bound the poll), after the first turn:
      // that one settles most calls, and ref() with unref() costs about 1 µs.
      const keep = turnedOnce;
      if (keep) loopKeeper.ref();
      try {
        pump.runOnce();
      } finally {
        if (keep) loopKeeper.unref();
        if (keepAwake !== undefined) clearRealImmediate(keepAwake);
      }
      pump.drainMicrotasks();
      if (cell.settled) return 'settled';
      // Only once the first iteration did not settle the cell, so a next-turn call pays nothing.
      if (!turnedOnce) {
        turnedOnce = true;
        releaseStaleImmediateRef();
      }
      if (napMs > 0 || unbounded) Atomics.wait(napCell, 0, 0, Math.max(napMs, 1));
      const left = deadline - now();
      if (left <= 0) return 'timeout';
      if (wakeUp.fired) {
        wakeUp.cancel();
        wakeUp = new WakeUp(left);
      }
      // Checked only after an iteration that did not settle the cell, so the hot path pays
      // nothing; one extra iteration also lets closing handles and pending callbacks run.
      if (!pump.hasLiveWork()) {
        // The confirming iteration runs without our wake-up, so it returns at once when nothing
        // else keeps libuv's loop alive, as it would for a script about to exit.
        wakeUp.cancel();
        pump.runOnce();
        pump.drainMicrotasks();
        if (cell.settled) return 'settled';
        if (!pump.hasLiveWork()) {
          throw new DeadlockError(messages.deadWait(what), 'nothing-pending');
        }
        wakeUp = new WakeUp(Math.max(0, deadline - now()));
      }
    }
  } finally {
    wakeUp.cancel();
  }
}

const noop = (): void => undefined;

/** An idle port, ref'd only while the pump turns the loop (see pumpUntil). */
const loopKeeper = (() => {
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  port2.unref();
  return port1;
})();

/** Where a nap waits (nothing ever notifies it). */
const napCell = new Int32Array(new SharedArrayBuffer(4));
