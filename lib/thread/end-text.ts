/**
 * The messages of a reactor thread's end (`messages.threadExited`, `threadDisposeTimedOut`,
 * `threadStopTimedOut`, which are these). Kept apart from the table of messages (messages.ts)
 * for their size.
 *
 * Context: any thread; text only.
 */

const diedSilently = 'died without running JavaScript (out of memory, or terminated)';
const exitedWith = (code: number): string => `exited (process.exit(${code}) or the thread ended)`;

/**
 * ReactorThreadError `'exited'`: the reactor thread called `process.exit(code)` or ended, or
 * (code undefined) died without running JavaScript.
 */
export const threadExited = (name: string, code: number | undefined): string =>
  `crochet: reactor thread '${name}' ${code === undefined ? diedSilently : exitedWith(code)}; ` +
  `the call was abandoned and every object hosted there is gone. The next load()/create() ` +
  `starts a new thread.`;

/** Report: a hosted service's disposal at shutdown ran out of time. */
export const threadDisposeTimedOut = (what: string, ms: number): string =>
  `crochet: disposing ${what} at shutdown did not finish within ${ms} ms; the thread goes on ` +
  `stopping without waiting for it (raise disposeTimeoutMs, or make its close method end ` +
  `what it waits for: a pool waits for its checked-out clients).`;

/** Report: a reactor thread's orderly stop outlasted `stopTimeoutMs`; it was terminated. */
export const threadStopTimedOut = (name: string, ms: number): string =>
  `crochet: reactor thread '${name}' did not stop within ${ms} ms (stopTimeoutMs) and was ` +
  `terminated: a service's dispose or a shutdown hook there had not finished. Raise ` +
  `stopTimeoutMs above its disposeTimeoutMs, or make the close method end what it waits for.`;
