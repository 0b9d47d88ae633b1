/**
 * `ReactorThread`: a worker thread whose event loop hosts services, started on first use and
 * stopped with its controller's shutdown; `load()` gives a module's classes (`create()`) and
 * functions (`functions()`) as blocking facades (remote/hosted-module.ts).
 *
 * Context: the thread that built it (the main thread or a worker).
 */
import { clearRealTimeout, setRealTimeout } from '../core/clock';
import { Worker } from 'node:worker_threads';
import { ReactorStopped } from '../errors';
import { reactor } from '../global';
import { messages } from '../messages';
import type { ReactorController } from '../core/reactor';
import { Connection } from './caller/connection';
import { adoptConnection } from './caller/connections';
import type { HostedModule, UntypedModule } from './hosted-types';
import { spawnReactorWorker } from './worker/spawn-worker';
import { DEFAULT_HOST_SPIN_US } from './host/host-spin';
import { hostedModule, type ModuleThread } from './remote/hosted-module';
import { HostState, STATE, newHostAddress, type ExportInfo } from './transport/protocol';
import { modulePathOf } from './module-path';
import { checkThreadOptions } from './thread-options';

/** Options of a reactor thread. */
export interface ReactorThreadOptions {
  /** Shown in messages and errors (default 'reactor'). */
  readonly name?: string;
  /**
   * Node options for the worker. By default it inherits the process's (so a loader such as
   * `--import tsx` applies in the reactor thread too).
   */
  readonly execArgv?: readonly string[];
  /** How long the first call waits for the worker to start, in ms (default 10 000). */
  readonly startTimeoutMs?: number;
  /**
   * How long stop() waits for the thread's own shutdown (disposing its services, its shutdown
   * hooks) before terminating it (default 4 000).
   */
  readonly stopTimeoutMs?: number;
  /**
   * Spin-before-sleep budgets in microseconds: the most a blocked caller polls the reply counter
   * before it sleeps in Atomics.wait (it spins about twice the usual reply time, within this),
   * and how long the reactor thread polls for the next request after replying to a blocking
   * call. Neither spins while the machine has no core to spare; 0 disables spinning.
   */
  readonly spinMicros?: {
    /** The most a blocked caller polls before it sleeps, in µs (default 250). */
    readonly caller?: number;
    /** How long the reactor thread polls for the next request, in µs (default 50). */
    readonly host?: number;
  };
  /**
   * @internal The controller whose shutdown stops the thread and whose reports and eventual
   * results its calls use (default: this thread's global reactor; specs pass their own).
   */
  readonly controller?: ReactorController;
  /** Worker resource limits, passed through. */
  readonly resourceLimits?: ConstructorParameters<typeof Worker>[1] extends infer O
    ? O extends { resourceLimits?: infer R }
      ? R
      : never
    : never;
}

/**
 * Where a reactor thread is: `'idle'` (not started yet: it starts on first use), `'running'`,
 * `'stopped'` (by `stop()` or the reactor's shutdown; for good), `'crashed'` (an uncaught
 * exception ended it) or `'exited'` (it called `process.exit()` or ended). After `'crashed'` or
 * `'exited'` the next `load()` starts a new thread.
 */
export type ReactorThreadState = 'idle' | 'running' | 'stopped' | 'crashed' | 'exited';
const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 4_000;

/**
 * A reactor thread: a worker thread running an event loop that hosts services. Started on first
 * use; it never keeps the process alive, except while `stop()` runs (its services are disposed
 * in it, for at most `stopTimeoutMs`). Stopped by `stop()`, by `reactor.stop()` (its shutdown
 * is the last 'before' hook of this thread's reactor) and by SIGINT/SIGTERM after `setup()`.
 *
 * After a crash or an exit of the thread, the objects hosted there are gone (their facades fail
 * with ReactorThreadError 'crashed'/'exited'), and the next `load()` starts a new thread. After
 * `stop()` the thread stays stopped: `load()` and every facade throw ReactorStopped.
 */
export class ReactorThread {
  /** Shown in messages and errors (`options.name`, default `'reactor'`). */
  readonly name: string;
  private worker: Worker | undefined;
  /** Settles when the worker has exited (it may have before stop(): a failed start, a crash). */
  private workerExited: Promise<void> | undefined;
  private connection: Connection | undefined;
  private address: ReturnType<typeof newHostAddress> | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private removeHook: (() => void) | undefined;
  /** The controller this thread's facades and shutdown belong to. */
  private readonly controller: ReactorController;
  /** What the modules loaded here use of it. */
  private readonly moduleThread: ModuleThread;
  private readonly options: ReactorThreadOptions;

  /**
   * A reactor thread that starts on first use (`load()`). The package's `reactorThread` is one;
   * build others to keep services apart (each is a worker thread of its own).
   *
   * Context: any thread (main or worker); that thread starts the worker on first use and ties it
   * to its own reactor's shutdown.
   */
  constructor(options: ReactorThreadOptions = {}) {
    this.options = checkThreadOptions(options);
    this.name = options.name ?? 'reactor';
    this.controller = options.controller ?? reactor;
    this.moduleThread = { controller: this.controller, connect: () => this.connect() };
  }

  /** Where the thread is ({@link ReactorThreadState}). Context: the thread that built it. */
  get state(): ReactorThreadState {
    if (this.stopped) return 'stopped';
    if (this.address === undefined) return 'idle';
    switch (Atomics.load(new Int32Array(this.address.state), STATE)) {
      case HostState.crashed:
        return 'crashed';
      case HostState.exited:
        return 'exited';
      case HostState.stopped:
        return 'stopped';
      default:
        return 'running';
    }
  }

  /**
   * Loads a service module in the reactor thread (an absolute path, a `file:` URL, a path
   * relative to the current working directory, or a package specifier; CommonJS, ES module, or
   * TypeScript under the loader the process runs with). Type it with the module's type:
   * `load<typeof import('./rates-service')>(require.resolve('./rates-service'))`, or from an ES
   * module `load<typeof import('./rates-service.js')>(new URL('./rates-service.js', import.meta.url))`.
   * Blocks until the module is loaded; a module that fails to load throws
   * ReactorThreadError('load-failed') with the module's error as `cause`. Without a type
   * argument the module is an {@link UntypedModule}: any export name and arguments, results
   * `unknown`. Starts the thread on first use (or after a crash or an exit); throws
   * ReactorStopped once it or the reactor has stopped.
   *
   * Context: the thread that built it, in any context (ES-module top level, after `await`,
   * inside a microtask): the wait is `Atomics.wait`, not the caller's event loop.
   */
  load<M = UntypedModule>(module: string | URL): HostedModule<M> {
    const modulePath = modulePathOf(module);
    const exports = this.connect().request(
      (id) => ({ k: 'load', id, path: modulePath }),
      [modulePath],
      undefined,
      `load(${JSON.stringify(modulePath)})`,
    ) as ExportInfo[];
    return hostedModule<M>(this.moduleThread, modulePath, exports);
  }

  /**
   * Stops the thread: every blocked caller, in every thread, fails at once with ReactorStopped;
   * the thread's pending calls are aborted, its own shutdown hooks run, then it ends (terminated
   * after `stopTimeoutMs`). Idempotent. Also run by `reactor.stop()` (the last 'before' hook).
   *
   * Context: the thread that built it; it never blocks: await the promise to know when the thread
   * has ended.
   */
  stop(): Promise<void> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private connect(): Connection {
    if (this.stopped || this.controller.state === 'stopped') {
      throw new ReactorStopped(messages.threadStopped(this.name));
    }
    if (this.connection !== undefined && this.connection.up) return this.connection;
    this.start();
    return this.connection as unknown as Connection;
  }

  private start(): void {
    const address = newHostAddress(this.name);
    const spin = this.options.spinMicros ?? {};
    const [connection, first] = Connection.create(address, spin.caller);
    const { worker, exited } = spawnReactorWorker({
      address,
      first,
      hostSpinMicros: spin.host ?? DEFAULT_HOST_SPIN_US,
      execArgv: this.options.execArgv,
      resourceLimits: this.options.resourceLimits,
      report: (message, error) => this.controller.report(message, error),
    });
    this.workerExited = exited;
    this.worker = worker;
    this.address = address;
    this.connection = connection;
    adoptConnection(connection);
    // The last 'before' hook: the application's 'before' hooks may still use the thread's
    // services (flush, say goodbye), whatever order they were registered in; then every caller
    // blocked on the thread, in any thread, is released, before pending calls fail here.
    this.removeHook ??= this.controller.addShutdownHook('before', () => this.stop(), {
      name: `reactor thread '${this.name}'`,
      last: true,
    });
    try {
      connection.awaitWelcome(this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, this.name);
    } catch (error) {
      void worker.terminate();
      this.connection = undefined;
      throw error;
    }
  }

  private async runStop(): Promise<void> {
    this.stopped = true;
    this.removeHook?.();
    this.removeHook = undefined;
    const address = this.address;
    const worker = this.worker;
    if (address === undefined || worker === undefined) return;
    const state = new Int32Array(address.state);
    if (Atomics.load(state, STATE) <= HostState.running)
      Atomics.store(state, STATE, HostState.stopped);
    this.connection?.close();
    const ended = this.workerExited ?? Promise.resolve();
    worker.postMessage({ k: 'stop' });
    // Until it has ended (disposed its services; at most stopTimeoutMs), the worker keeps the
    // process alive: an unref'd one let a program that awaited stop() exit there, with code 0,
    // the rest of it and the disposal skipped.
    worker.ref();
    const limitMs = this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const timer = setRealTimeout(() => {
      // Said by name: a dispose with a longer limit of its own was cut off without a word.
      this.controller.report(messages.threadStopTimedOut(this.name, limitMs), undefined);
      void worker.terminate();
    }, limitMs);
    timer.unref();
    await ended;
    clearRealTimeout(timer);
  }
}

/**
 * The package's default reactor thread (named `'reactor'`), started on first use. Each thread
 * that loads crochet has its own.
 */
export const reactorThread = new ReactorThread({ name: 'reactor' });
