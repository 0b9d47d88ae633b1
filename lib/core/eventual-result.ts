/**
 * The handle returned by `@runInReactor` calls: the eventual outcome of a call running on the
 * reactor. Modelled on Crochet's EventualResult.
 *
 * Context: create nothing yourself; the methods are called from application (synchronous) code.
 */
import { CancelledError, timedOut } from '../errors';
import { messages } from '../messages';
import type { Operation } from './operation';
import { checkTimeout } from '../declare/timeout-arg';

/** What an EventualResult needs from the controller that created it. */
export interface ResultWaiter {
  /** Pumps until the operation settles or the timeout passes (see pump.ts). */
  block(operation: Operation, timeoutMs: number, what: string): 'settled' | 'timeout';
  stash(result: EventualResult<unknown>, operation: Operation): number;
}

/**
 * The eventual outcome of a reactor-bound call that does not block its caller: what
 * `@runInReactor` methods, `runInReactor(fn)` wrappers and facade methods listed as `eventual`
 * return, in-thread or for a service on a reactor thread. Wait for it (`wait()`), cancel it, look
 * at its error without blocking, or stash it under an id for later. A failure nobody observes is
 * reported once through the logger (when the result is garbage-collected, or at shutdown).
 *
 * @typeParam T - The value the call fulfils with.
 */
export class EventualResult<T> {
  readonly #operation: Operation;
  readonly #waiter: ResultWaiter;

  /** @internal Built by the controller for each `@runInReactor` call. */
  constructor(operation: Operation, waiter: ResultWaiter) {
    this.#operation = operation;
    this.#waiter = waiter;
  }

  /**
   * Blocks until the outcome is known, at most `timeoutMs` ms, pumping the event loop.
   * Returns the value or throws the error (the same object every time). On timeout throws
   * {@link TimeoutError}; nothing is consumed or cancelled, so it can be called again.
   *
   * Context: synchronous code on the reactor's thread, not inside a microtask (it throws a
   * DeadlockError there). Throws ReactorStopped if the reactor stopped before the outcome.
   */
  wait(timeoutMs: number): T {
    checkTimeout(timeoutMs, 'EventualResult.wait()');
    const operation = this.#operation;
    if (!operation.settled) {
      // While it waits, a shutdown run by a callback of its loop turns must not report the
      // failure it is about to observe (Operation.waitStarted).
      operation.waitStarted();
      let outcome: 'settled' | 'timeout';
      try {
        outcome = this.#waiter.block(operation, timeoutMs, 'EventualResult.wait()');
      } finally {
        operation.waitEnded(operation.failed);
      }
      if (outcome === 'timeout') {
        throw timedOut(timeoutMs, 'EventualResult.wait()');
      }
    }
    if (operation.failed) {
      operation.observed = true;
      throw operation.error;
    }
    return operation.value as T;
  }

  /**
   * Cancels the call: unless it already settled, its `currentSignal()` aborts and the result
   * ends at once with a {@link CancelledError} (also the signal's reason), which every `wait()`
   * then throws, blocked or later. A body that has not started yet never runs. What the body
   * does after that is not reported (see the README on cancellation). A no-op once settled.
   *
   * Context: any code on the reactor's thread.
   */
  cancel(): void {
    const reason = new DOMException('The operation was cancelled.', 'AbortError');
    this.#operation.cancel(new CancelledError(messages.cancelled(), { cause: reason }));
  }

  /**
   * Keeps this result alive under a new id (strictly increasing, never reused) until
   * `retrieveResult(id)` gives it back, once. Use it to hand a result across requests. A
   * stashed failure never retrieved is reported at shutdown.
   *
   * Context: any code on the reactor's thread; the id is valid on that thread's reactor only.
   */
  stash(): number {
    return this.#waiter.stash(this, this.#operation);
  }

  /**
   * The error if the call failed, else `undefined` (also while pending). Never blocks; reading
   * it counts as observing the failure, so it will not be reported as unobserved.
   *
   * Context: any code on the reactor's thread, including async code and microtasks.
   */
  originalError(): unknown {
    const operation = this.#operation;
    if (!operation.failed) return undefined;
    operation.observed = true;
    return operation.error;
  }
}
