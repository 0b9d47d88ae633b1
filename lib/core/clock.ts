/**
 * The real clock and timers, captured when crochet loads.
 *
 * Test suites fake time (sinon's `useFakeTimers()` replaces `setTimeout`, `setInterval`,
 * `setImmediate`, their clears, `queueMicrotask`, `Date`, `performance.now` and
 * `process.hrtime`). The library's
 * own deadlines, wake-ups, wait slices and hook limits must keep real time whatever a test has
 * faked: a faked wake-up never fires, so a blocked call would never time out and a pump waiting
 * for it would spin a core. Everything in lib/ that measures or waits for time uses these.
 *
 * Context: any thread; each thread that loads crochet captures its own.
 */
import * as timers from 'node:timers';

/** Milliseconds from the real monotonic clock (`performance.now()` as it was at load). */
export const now: () => number = performance.now.bind(performance);

/** The real `setTimeout` / `clearTimeout` / `setImmediate` of `node:timers`. */
export const setRealTimeout: typeof timers.setTimeout = timers.setTimeout;
export const clearRealTimeout: typeof timers.clearTimeout = timers.clearTimeout;
export const setRealImmediate: typeof timers.setImmediate = timers.setImmediate;
export const clearRealImmediate: typeof timers.clearImmediate = timers.clearImmediate;
export const setRealInterval: typeof timers.setInterval = timers.setInterval;
/**
 * The real `queueMicrotask`: sinon 22 fakes it too, and a faked one never runs its callback
 * (eventual bodies queued by start-queue.ts never started, even after `clock.restore()`).
 */
export const queueRealMicrotask: typeof queueMicrotask = queueMicrotask;
export const clearRealInterval: typeof timers.clearInterval = timers.clearInterval;
