/**
 * The messages of two refusals to block in a callback where turning the event loop would crash
 * Node.js (`messages.inImmediateBatch`, `messages.handleClosing`, which are these). Kept apart
 * from the table of messages (messages.ts) for their size.
 *
 * Context: any thread; text only.
 */

/**
 * DeadlockError `'in-immediate-batch'`: an in-thread blocking call in a setImmediate callback
 * that is not the first of its batch.
 */
export const inImmediateBatch = (what: string): string =>
  `crochet: ${what} cannot block here: the caller is a setImmediate callback that is not the ` +
  `first of its batch, and pumping the event loop from there makes Node.js abort the process ` +
  `(its immediate queue is not re-entrant: "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal"). ` +
  `Call it from a setTimeout(fn, 0) callback, from an I/O or event callback, or from ` +
  `synchronous code; or host the service on a reactor thread, whose calls never pump this ` +
  `thread's loop.`;

/**
 * DeadlockError `'handle-closing'`: an in-thread blocking call in a callback of a socket, pipe
 * or child process whose handle is already closing (core/callback-handle.ts).
 */
export const handleClosing = (what: string): string =>
  `crochet: ${what} cannot block here: the caller is a callback of a handle that is already ` +
  `closing (a child process's 'exit' listener, or a socket after destroy()), and a loop turn ` +
  `that finishes the close makes Node.js crash (its async-context stack still points at the ` +
  `handle). Defer the call: setImmediate(() => ...) from the listener; or host the service on ` +
  `a reactor thread, whose calls never pump this thread's loop.`;
