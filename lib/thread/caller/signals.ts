/**
 * Noticing SIGINT/SIGTERM while the main thread is blocked in `Atomics.wait`.
 *
 * A signal with a JavaScript listener is delivered by the event loop, and a caller blocked in
 * `Atomics.wait` does not run its loop, so by itself it would sit through Ctrl-C until its call
 * returns. (Without any listener Node's default action applies and ends the process at once, so
 * there is nothing to do.) When the main thread has been blocked for SIGNAL_CHECK_MS and a
 * SIGINT or SIGTERM listener is installed (`setup()` installs one), the wait loop runs ONE turn
 * of the main event loop (deasync's `uv_run(UV_RUN_ONCE)`, bounded by a 1 ms wake-up in a timer
 * list of its own (wake-up.ts), and a second one kept alive by a pending immediate when the
 * first saw nothing) every SIGNAL_CHECK_MS, with a listener of ours prepended for the duration.
 * If a signal was delivered, the listeners ran (crochet's starts `reactor.stop()`) and the
 * blocked call fails at once with ReactorStopped. No turn is taken in a callback of a handle
 * whose close has begun (core/callback-handle.ts).
 *
 * The cost, documented in the README: in that situation only, timer and I/O callbacks that are
 * due may run during those turns (as they would under `@waitFor`'s in-thread blocking). Calls
 * shorter than SIGNAL_CHECK_MS, calls in worker threads and processes without signal listeners
 * never turn the loop.
 */
import { isMainThread } from 'node:worker_threads';
import * as clock from '../../core/clock';
import { CrochetError } from '../../errors';
import { createDeasyncPump, type EventLoopPump } from '../../core/pump';
import { immediateBatchPosition } from '../../core/immediates';
import { callbackResource, holdCallbackHandle } from '../../core/callback-handle';
import { WakeUp } from '../../core/wake-up';

export const SIGNAL_CHECK_MS = 100;

let pump: EventLoopPump | undefined;
let nextCheck = 0;
let pumpUnavailable = false;

/**
 * Called by a blocked caller after each wait slice, with the time its call started blocking;
 * true when a shutdown signal arrived.
 */
export function checkSignals(blockedSince: number): boolean {
  if (!isMainThread) return false;
  const now = clock.now();
  if (now - blockedSince < SIGNAL_CHECK_MS || now < nextCheck) return false;
  nextCheck = now + SIGNAL_CHECK_MS;
  // From a later immediate of a batch, a loop turn would abort the process (see pump.ts).
  const resource = callbackResource();
  if (pumpUnavailable || immediateBatchPosition(resource) === 'later') return false;
  if (process.listenerCount('SIGINT') + process.listenerCount('SIGTERM') === 0) return false;
  // A handle that closed during the turn would crash Node; one already closing cannot be held
  // (core/callback-handle.ts): no turn then, the signal waits for the call.
  const release = holdCallbackHandle(resource);
  if (release === 'closing') return false;
  try {
    return turnForSignals();
  } finally {
    release();
  }
}

/** The loop turns of a signal check; true when a shutdown signal arrived. */
function turnForSignals(): boolean {
  pump ??= createDeasyncPump();
  let seen = false;
  const mark = (): void => {
    seen = true;
  };
  process.prependListener('SIGINT', mark);
  process.prependListener('SIGTERM', mark);
  // The bound must arm Node's one libuv timer itself: a plain 1 ms timer made inside a callback
  // of the 1 ms list joins the list being run and arms nothing, and a loop that something else
  // keeps alive (a listening server) then polled until an unrelated timer or event: a call with
  // a 400 ms timeout threw after 8-16 s, and with no other timer the turn never ended (the soak
  // hung on Node.js 24). A WakeUp finds a list of its own; where it cannot, no waiting turn.
  const bound = new WakeUp(1);
  try {
    // Up to the bound: polls, then runs the timers that are due (one may call stop()).
    if (bound.ownList) pump.runOnce();
    if (!seen) {
      // Inside a timer callback whose own timer list holds the bound above, Node arms its one
      // libuv timer only once the callback returns, and signal handles are unref'd: uv_run found
      // the loop not alive and returned without polling, so the signal was never read (it was
      // seen in 2-3 runs of 6). A pending immediate keeps the loop alive for a second turn, which
      // polls without sleeping. Not instead of the first: with it, the poll never waits for the
      // bound, and due timers were not run (a stop() from a timer came only after the call).
      const alive = clock.setRealImmediate(() => undefined);
      try {
        pump.runOnce();
      } finally {
        clock.clearRealImmediate(alive);
      }
    }
  } catch (error) {
    // No deasync binary here: reactor threads work without it, only without these turns (a
    // signal then waits for the call to return, as it would with no listener's help).
    if (!(error instanceof CrochetError)) throw error;
    pumpUnavailable = true;
  } finally {
    bound.cancel();
    process.off('SIGINT', mark);
    process.off('SIGTERM', mark);
  }
  return seen;
}
