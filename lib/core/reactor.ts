/**
 * The reactor controller: the reactor (the event loop of the thread that calls it) as
 * application code sees it, the registry of pending calls and the results (stashed or tracked
 * for unobserved failures). Its life, from setup() to shutdown and its hooks, is lifecycle.ts.
 *
 * It is an ordinary class built from injected collaborators (the loop pump, the process
 * integration, the logger); the package builds one instance (`reactor`) and exports its bound
 * methods, while specs build their own with fakes.
 *
 * Context: every method is called on the thread that owns the loop. `invoke` and the blocking
 * paths are called from synchronous application code; `stop()` from anywhere on that thread.
 */
import { NotSetUpError, ReactorStopped, timedOut } from '../errors';
import type { ReactorMethodKind } from './call-context';
import type { Invoker } from '../declare/decorators';
import { EventualResult } from './eventual-result';
import { reportSafely, type Logger } from './logger';
import { messages } from '../messages';
import { Operation } from './operation';
import { Results } from './results';
import { StartQueue } from './start-queue';
import { PendingOperations } from './pending-operations';
import { blockUntilSettled } from './pump';
import type { ShutdownHook, ShutdownHookOptions, ShutdownPhase } from './shutdown-hooks';
import { ReactorLifecycle } from './lifecycle';
import type { ReactorCollaborators, ReactorState, SetupOptions } from './collaborators';

/**
 * The controller of one thread's reactor (that thread's own event loop, pumped while a caller
 * blocks): its lifecycle, the calls still pending, stashed results and shutdown hooks. The
 * package's `reactor` is the one the package-level `setup()`, `@waitFor`, `@runInReactor`,
 * `facade()` and reactor threads use; a test can build its own from collaborators (see
 * `crochet/testing`) and bind decorators to it with `createDecorators()`.
 *
 * Context: a controller belongs to the thread that built it; call its methods on that thread.
 */
export class ReactorController implements Invoker {
  private readonly pending = new PendingOperations<Operation>();
  private readonly results = new Results();
  private readonly starts = new StartQueue();
  /** Its state, who manages it, its shutdown hooks and how it shuts down. */
  private readonly lifecycle: ReactorLifecycle;
  private logger: Logger;
  /**
   * A controller in state `'idle'`. Application code uses the package's `reactor`; build one for
   * isolated tests with `defaultCollaborators()` from `crochet/testing`.
   */
  constructor(private readonly collaborators: ReactorCollaborators) {
    this.logger = collaborators.logger;
    this.lifecycle = new ReactorLifecycle(collaborators.process, {
      failPending: () => this.failPending(),
      reportUnobserved: () => this.results.reportUnobserved(),
      report: (message, error) => this.report(message, error),
    });
  }

  /** Where the reactor is in its life ({@link ReactorState}). Context: any code on its thread. */
  get state(): ReactorState {
    return this.lifecycle.state;
  }

  /**
   * @internal Calls that have not settled yet (for diagnostics and specs); published as
   * `pendingCalls()` in `crochet/testing`.
   */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Starts the reactor and installs process handling: SIGINT/SIGTERM run an orderly shutdown and
   * exit with 130/143; a normal end of the program runs the shutdown hooks too. Idempotent, so
   * several libraries may each call it; a no-op after `noSetup()`. A later call still applies its
   * options. Throws ReactorStopped once the reactor is stopping or stopped.
   *
   * Context: synchronous code on the reactor's thread, typically once at program start.
   */
  setup(options: SetupOptions = {}): void {
    // After noSetup() the application owns the reactor: setup() changes nothing, not even the
    // logger (a library's setup() must not take over the application's reporting).
    if (this.lifecycle.managedByApplication) return;
    if (options.logger !== undefined) this.logger = options.logger;
    this.lifecycle.setup(options.hookTimeoutMs);
  }

  /**
   * Marks the reactor running for an application that manages process shutdown itself (it
   * calls `reactor.stop()` when it wants). Installs no process handlers. Throws a CrochetError
   * after `setup()` or when called twice.
   *
   * Context: synchronous code on the reactor's thread, once at program start.
   */
  noSetup(): void {
    this.lifecycle.noSetup();
  }

  /**
   * Replaces the logger that unobserved failures, late failures and failing or hung shutdown
   * hooks are reported to (reports from reactor threads included). Works after `noSetup()` too.
   *
   * Context: any code on the reactor's thread.
   */
  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  /**
   * Adds `hook` to a phase of shutdown (`stop()`; after `setup()` also a signal or the end of
   * the program) and returns a function that removes it. Hooks of a phase run one after another
   * in the order they were added (those added with `last` after the others), each awaited up to
   * its limit (`options.timeoutMs`, else `setup({ hookTimeoutMs })`, else 5000 ms); one that
   * throws or rejects is reported and the rest still run; one that runs out of time is reported
   * by name and skipped. When the process exits without an orderly shutdown (`process.exit()`
   * after `setup()`), hooks are called synchronously and an async hook gets no chance to finish.
   * A hook added to a phase that is already running does not run. Throws a TypeError for an
   * unknown phase or a hook that is not a function.
   *
   * Context: any code on the reactor's thread, before or during shutdown.
   */
  addShutdownHook(
    phase: ShutdownPhase,
    hook: ShutdownHook,
    options?: ShutdownHookOptions,
  ): () => void {
    return this.lifecycle.hooks.add(phase, hook, options);
  }

  /**
   * Orderly shutdown: 'before' hooks; every pending call fails with ReactorStopped (releasing
   * every blocked caller) and its signal aborts; stashed failures nobody observed are reported;
   * 'during' hooks; 'after' hooks. Idempotent: later calls return the same promise.
   * The state is `'stopping'` until the promise settles, then `'stopped'` for good.
   *
   * Context: any code on the reactor's thread (a hook, a signal handler, async code); it never
   * blocks, await the promise to know when shutdown is over.
   */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /**
   * Gives back a result stashed with `EventualResult.stash()`, once; `T` is what was stashed.
   * State it (`retrieveResult<number>(id)`): it is never inferred from the variable the result is
   * assigned to (`NoInfer`), so forgetting it gives `EventualResult<unknown>`, not a silent cast.
   * Throws a RangeError naming the id when it is unknown or was already retrieved.
   *
   * Context: any code on the reactor's thread.
   */
  retrieveResult<T = unknown>(id: number): EventualResult<NoInfer<T>> {
    return this.results.retrieve<T>(id);
  }

  /**
   * @internal Back to a fresh 'idle' controller: pending calls fail with ReactorStopped, hooks,
   * stash and process handlers are dropped. For specs that must use the global instance;
   * published as `resetReactor()` in `crochet/testing`.
   */
  reset(): void {
    this.failPending();
    this.results.clear();
    this.lifecycle.reset();
    this.logger = this.collaborators.logger;
  }

  /**
   * Runs `fn` on the reactor as a reactor-bound call. For 'runInReactor' returns an
   * EventualResult at once and queues the body as a microtask, so it never runs inside the call.
   * For 'waitFor' runs the body and blocks, pumping the loop, until the outcome, then returns or
   * throws it. `what` names the call in error messages.
   *
   * This is what decorated methods, wrapped functions and facade methods call; application code
   * does not call it directly.
   *
   * Context: application code on the reactor's thread; 'waitFor' only from synchronous code.
   */
  invoke(
    kind: ReactorMethodKind,
    fn: (...args: unknown[]) => unknown,
    thisArg: unknown,
    args: unknown[],
    timeoutMs: number,
    what: string,
  ): unknown {
    if (this.lifecycle.state !== 'running') this.refuseCall(what);
    const operation = new Operation(this, kind);
    if (kind === 'waitFor') {
      // The caller blocks right here, so its body runs right here too: a call whose body is
      // already settled finishes within the first microtask drain, with no queueing at all.
      // Eventual calls made before it start first.
      this.starts.startPending();
      operation.start(fn, thisArg, args);
      return this.waitForCall(operation, timeoutMs, what);
    }
    this.pending.add(operation);
    this.starts.push(operation, fn, thisArg, args);
    const result = new EventualResult<unknown>(operation, this);
    this.trackResult(result, operation);
    return result;
  }

  /** @internal ResultWaiter */
  block(operation: Operation, timeoutMs: number, what: string): 'settled' | 'timeout' {
    return blockUntilSettled(this.collaborators.pump, operation, timeoutMs, what);
  }

  /**
   * @internal Reports `operation`'s failure if nobody observed it once `result` is collected, or
   * at shutdown. In-thread and reactor-thread results alike.
   */
  trackResult(result: EventualResult<unknown>, operation: Operation): void {
    this.results.track(result, operation);
  }

  /**
   * @internal A reactor-thread eventual call made from this thread: pending here like an
   * in-thread one (its host is this controller), so that `stop()` ends it with ReactorStopped at
   * the same point, before the 'during' hooks (where reactor threads stop).
   */
  adoptRemote(result: EventualResult<unknown>, operation: Operation): void {
    if (!operation.settled) this.pending.add(operation);
    this.trackResult(result, operation);
  }

  /** @internal ResultWaiter */
  stash(result: EventualResult<unknown>, operation: Operation): number {
    return this.results.stash(result, operation);
  }

  /** @internal OperationOwner */
  operationSettled(operation: Operation): void {
    this.pending.delete(operation);
  }

  /** @internal OperationOwner: reports through the current logger; never throws (reportSafely). */
  report(message: string, error: unknown): void {
    reportSafely(this.logger, message, error);
  }

  private waitForCall(operation: Operation, timeoutMs: number, what: string): unknown {
    if (!operation.settled) {
      // Only a call that really blocks needs to be found (and released) by stop().
      this.pending.add(operation);
      let outcome: 'settled' | 'timeout';
      try {
        outcome = blockUntilSettled(this.collaborators.pump, operation, timeoutMs, what);
      } catch (refusal) {
        operation.abandon(refusal, messages.lateFailure());
        throw refusal;
      }
      if (outcome === 'timeout') {
        // Created here, inside the caller's synchronous wait, so its stack shows the caller.
        const error = timedOut(timeoutMs, what);
        operation.abandon(error, messages.lateFailure());
        throw error;
      }
    }
    operation.observed = true;
    if (operation.failed) throw operation.error;
    return operation.value;
  }

  private refuseCall(what: string): never {
    if (this.lifecycle.state === 'idle') throw new NotSetUpError(messages.notSetUp(what));
    throw new ReactorStopped(messages.stopped(what));
  }

  /** Fails every pending call with ReactorStopped; returns how many there were. */
  private failPending(): number {
    const released = this.pending.takeAll();
    for (const operation of released) {
      operation.stop(new ReactorStopped(messages.stoppedWhilePending()));
    }
    return released.length;
  }
}
