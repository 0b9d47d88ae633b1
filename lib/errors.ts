/**
 * The library's error classes. Each is a real Error subclass with `name` set, so `instanceof`,
 * `err.name` and stack traces all work after transpilation.
 */
import { messages } from './messages';

/** Base class of every error crochet itself raises (not of errors your code throws). */
export class CrochetError extends Error {
  /** Always `'CrochetError'`, also after minification. */
  override name = 'CrochetError';
}

/** A blocking call did not finish within its timeout. */
export class TimeoutError extends CrochetError {
  /** Always `'TimeoutError'`, also after minification. */
  override name = 'TimeoutError';
  /** Built by crochet when a wait runs out. */
  constructor(
    message: string,
    /** The timeout that ran out, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/**
 * @internal The TimeoutError of a wait on `what` that ran out after `timeoutMs`, with the one
 * message every wait uses (in-thread, reactor thread, `EventualResult.wait()`). Built in the
 * waiting caller's own frame, so its stack shows the caller.
 */
export function timedOut(timeoutMs: number, what: string): TimeoutError {
  return new TimeoutError(messages.timeout(timeoutMs, what), timeoutMs);
}

/**
 * `EventualResult.cancel()` ended the call before it settled (Crochet/Twisted: CancelledError).
 * The call's `currentSignal()` aborts with a standard `AbortError` DOMException (the `cause`
 * here), which is what fetch, undici, streams and timers reject with when they honour it.
 */
export class CancelledError extends CrochetError {
  /** Always `'CancelledError'`, also after minification. */
  override name = 'CancelledError';
}

/** The reactor stopped: before the call started, or while it was pending. */
export class ReactorStopped extends CrochetError {
  /** Always `'ReactorStopped'`, also after minification. */
  override name = 'ReactorStopped';
}

/** A reactor-bound call was made before `setup()` or `noSetup()`. */
export class NotSetUpError extends CrochetError {
  /** Always `'NotSetUpError'`, also after minification. */
  override name = 'NotSetUpError';
}

/**
 * Why a blocking call was refused: `'in-microtask'` (the caller runs inside a promise job, code
 * after `await` or an ES module's top level, where the event loop cannot be pumped),
 * `'nothing-pending'` (the result is pending but nothing ref'd keeps the event loop, or the
 * reactor thread's loop, alive, so it can never settle), `'in-immediate-batch'` (the caller is a
 * setImmediate callback that is not the first of its batch, where pumping would make Node abort),
 * `'host-thread'` (services hosted on the caller's own thread) or `'handle-closing'` (a callback
 * of a socket or child process whose handle is already closing, where a loop turn crashes Node).
 */
export type DeadlockReason =
  /** The caller runs inside a microtask. */
  | 'in-microtask'
  /** Nothing could ever settle the call. */
  | 'nothing-pending'
  /** In a setImmediate callback that is not the first of its batch, where Node would abort. */
  | 'in-immediate-batch'
  /** A blocking call to services hosted on the caller's own thread (lib/thread). */
  | 'host-thread'
  /** In a callback of a handle already closing (a child's 'exit' listener), where Node crashes. */
  | 'handle-closing';

/**
 * Blocking was refused because it could never finish: the caller is inside a microtask (the
 * loop cannot be pumped there), or nothing but unref'd handles keeps the event loop alive.
 */
export class DeadlockError extends CrochetError {
  /** Always `'DeadlockError'`, also after minification. */
  override name = 'DeadlockError';
  /** Built by crochet when it refuses to block. */
  constructor(
    message: string,
    /** Why the call could never finish; the message says what to do instead. */
    readonly reason: DeadlockReason,
  ) {
    super(message);
  }
}

/**
 * Why a reactor thread could not do what was asked: `'start-failed'` (the worker did not start
 * within `startTimeoutMs`), `'load-failed'` (a service module failed to load), `'crashed'` (an
 * uncaught exception ended the thread, or its bootstrap failed), `'exited'` (the thread called
 * `process.exit()` or ended), `'released'` (the facade was released) or `'unknown-export'` (the
 * module has no exported class of that name).
 */
export type ReactorThreadFault =
  'start-failed' | 'load-failed' | 'crashed' | 'exited' | 'released' | 'unknown-export';

/**
 * A fault of a reactor thread (lib/thread): it failed to start, a service module failed to load,
 * the thread crashed or called process.exit, or a hosted object was already released. `cause`
 * holds the underlying error where there is one.
 */
export class ReactorThreadError extends CrochetError {
  /** Always `'ReactorThreadError'`, also after minification. */
  override name = 'ReactorThreadError';
  /** Built by crochet when a reactor thread fails a call. */
  constructor(
    message: string,
    /** What went wrong ({@link ReactorThreadFault}). */
    readonly reason: ReactorThreadFault,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
