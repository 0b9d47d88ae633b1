/**
 * One reactor-bound call: its body, its outcome, its AbortSignal, and whether anyone observed
 * its failure. `@waitFor` callers block on it directly; `@runInReactor` callers hold it through
 * an EventualResult. The operation never references its EventualResult, so the result can be
 * garbage-collected while the operation is still pending.
 *
 * Context: reactor thread only (the thread that made the call).
 */
import { runInCallContext, type CallContext, type ReactorMethodKind } from './call-context';
import { DeclaredBody } from '../declare/declared-body';
import { messages } from '../messages';
import type { PendingLink } from './pending-operations';
import type { Waitable } from './pump';

/** What an operation tells the controller that owns it. */
export interface OperationOwner {
  operationSettled(operation: Operation): void;
  report(message: string, error: unknown): void;
}

export class Operation implements Waitable, CallContext, PendingLink {
  pendingPrev: PendingLink | undefined = undefined;
  pendingNext: PendingLink | undefined = undefined;
  isPending = false;
  settled = false;
  started = false;
  inMethod = false;
  failed = false;
  value: unknown = undefined;
  error: unknown = undefined;
  /** Someone received the error (wait() threw it, originalError() returned it). */
  observed = false;
  private reported = false;
  private stoppedByReactor = false;
  /** Set when nobody will ever observe the outcome; the message to report a failure with. */
  private orphanMessage: string | undefined;
  /** `EventualResult.wait()` calls blocked on it now. */
  private waiting = 0;
  private controller: AbortController | undefined;
  private aborted = false;
  private abortReason: unknown = undefined;

  constructor(
    private readonly owner: OperationOwner,
    readonly kind: ReactorMethodKind,
  ) {}

  /** Created on first use: most calls never ask for their signal. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /**
   * Runs the body: in place for `@waitFor` (its caller blocks right after), from a queued
   * microtask for `@runInReactor` (never inside the call).
   */
  start(fn: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]): void {
    if (this.settled) return;
    this.started = true;
    let result: unknown;
    let thenable: boolean;
    try {
      result = runInCallContext(this, invokeBody, fn, thisArg, args);
      // Reading `then` can throw (a getter, a revoked Proxy): that is the body failing too.
      thenable = isThenable(result);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!thenable) {
      this.fulfil(result);
      return;
    }
    const promise = result instanceof Promise ? result : Promise.resolve(result);
    promise.then(
      (value: unknown) => this.fulfil(value),
      (error: unknown) => this.fail(error),
    );
  }

  fulfil(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.value = value;
    this.owner.operationSettled(this);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.failed = true;
    this.error = error;
    this.owner.operationSettled(this);
    if (this.orphanMessage !== undefined) this.reportIfUnobserved();
  }

  /**
   * `EventualResult.cancel()`: aborts the body's signal with `error.cause` and, unless it already
   * settled, ends the call now with `error` (a CancelledError), as Twisted ends a cancelled
   * Deferred whose work ignores the cancellation. The caller asked for it: not news to report.
   */
  cancel(error: Error): void {
    if (this.settled) return;
    this.abort(error.cause);
    this.observed = true;
    this.fail(error);
  }

  /** Aborts the signal. The outcome stays whatever the body settles with. */
  abort(reason: unknown): void {
    if (this.aborted || this.settled) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  /**
   * The caller stopped waiting (timeout, refusal, cancel before start). A body that has not
   * started never will; a running one is aborted and a later real failure is reported.
   */
  abandon(reason: unknown, orphanMessage: string): void {
    if (!this.started) {
      this.observed = true;
      this.fail(reason);
      return;
    }
    this.abort(reason);
    this.orphan(orphanMessage);
  }

  /** The reactor stopped: fail now with ReactorStopped and abort the body. Never reported. */
  stop(error: Error): void {
    if (this.settled) return;
    this.stoppedByReactor = true;
    this.abort(error);
    this.fail(error);
  }

  /**
   * An `EventualResult.wait()` blocks on this operation. Until it ends, a failure is not
   * reported as unobserved: a shutdown run from a callback of the wait's own loop turns (a timer
   * calling `reactor.stop()`) reported a failure the wait then returned (soak, Node.js 22).
   */
  waitStarted(): void {
    this.waiting += 1;
  }

  /** That wait ended; `observes` when it is about to throw the failure. */
  waitEnded(observes: boolean): void {
    this.waiting -= 1;
    if (observes) this.observed = true;
    else if (this.waiting === 0 && this.orphanMessage !== undefined && this.settled) {
      this.reportIfUnobserved();
    }
  }

  /** Nobody will observe this operation any more (its EventualResult was collected, say). */
  orphan(message: string): void {
    this.orphanMessage ??= message;
    if (this.settled) this.reportIfUnobserved();
  }

  private reportIfUnobserved(): void {
    if (!this.failed || this.observed || this.reported || this.stoppedByReactor) return;
    if (this.waiting > 0) return;
    if (this.aborted && this.abortCaused(this.error)) return;
    this.reported = true;
    this.owner.report(this.orphanMessage ?? messages.unobservedFailure(), this.error);
  }

  /**
   * Whether a failure after our abort (a timeout, cancel(), shutdown) is its consequence rather
   * than news. The rule: once the call is aborted, the failure of a body that took its signal
   * (`currentSignal()`) is the body or its driver honouring the abort in its own way (an
   * AbortError, node-postgres's "canceling statement due to user request", 57014, or any
   * other), so it is not reported. A body that never took its signal cannot have been stopped
   * by us: its failure is reported, unless it is the abort reason itself or an AbortError.
   */
  private abortCaused(error: unknown): boolean {
    return this.controller !== undefined || isAbortConsequence(error, this.abortReason);
  }
}

function invokeBody(
  operation: Operation,
  fn: (...args: unknown[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): unknown {
  operation.inMethod = true;
  let result: unknown;
  try {
    result = Reflect.apply(fn, thisArg, args);
  } finally {
    operation.inMethod = false;
  }
  return result instanceof DeclaredBody ? result.body() : result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A rejection that is just the body honouring our own abort is not news to anyone. */
function isAbortConsequence(error: unknown, reason: unknown): boolean {
  return (
    error === reason ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'AbortError')
  );
}
