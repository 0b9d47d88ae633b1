/**
 * The library's error classes. Each is a real Error subclass with `name` set, so `instanceof`,
 * `err.name` and stack traces all work after transpilation.
 */

/** Base class of every error crochet itself raises (not of errors your code throws). */
export class CrochetError extends Error {
  override name = 'CrochetError';
}

/** A blocking call did not finish within its timeout. */
export class TimeoutError extends CrochetError {
  override name = 'TimeoutError';
  constructor(
    message: string,
    /** The timeout that ran out, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/**
 * `EventualResult.cancel()` ended the call before it settled (Crochet/Twisted: CancelledError).
 * The call's `currentSignal()` aborts with a standard `AbortError` DOMException (the `cause`
 * here), which is what fetch, undici, streams and timers reject with when they honour it.
 */
export class CancelledError extends CrochetError {
  override name = 'CancelledError';
}

/** The reactor stopped: before the call started, or while it was pending. */
export class ReactorStopped extends CrochetError {
  override name = 'ReactorStopped';
}

/** A reactor-bound call was made before `setup()` or `noSetup()`. */
export class NotSetUpError extends CrochetError {
  override name = 'NotSetUpError';
}

/** Why a blocking call was refused. */
export type DeadlockReason =
  | 'in-microtask'
  | 'nothing-pending'
  /** In a setImmediate callback that is not the first of its batch, where Node would abort. */
  | 'in-immediate-batch'
  /** A blocking call to services hosted on the caller's own thread (lib/thread). */
  | 'host-thread';

/**
 * Blocking was refused because it could never finish: the caller is inside a microtask (the
 * loop cannot be pumped there), or nothing but unref'd handles keeps the event loop alive.
 */
export class DeadlockError extends CrochetError {
  override name = 'DeadlockError';
  constructor(
    message: string,
    readonly reason: DeadlockReason,
  ) {
    super(message);
  }
}

/** Why a reactor thread could not do what was asked. */
export type ReactorThreadFault =
  'start-failed' | 'load-failed' | 'crashed' | 'exited' | 'released' | 'unknown-export';

/**
 * A fault of a reactor thread (lib/thread): it failed to start, a service module failed to load,
 * the thread crashed or called process.exit, or a hosted object was already released. `cause`
 * holds the underlying error where there is one.
 */
export class ReactorThreadError extends CrochetError {
  override name = 'ReactorThreadError';
  constructor(
    message: string,
    readonly reason: ReactorThreadFault,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
