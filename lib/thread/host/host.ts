/**
 * The host side: a thread with a free event loop that keeps objects (hosted-objects.ts) and runs
 * calls on them for callers in other threads. The reactor thread's worker runs one
 * (worker-entry.ts); `hostServices()` runs one on the calling thread (the main thread serving a
 * pool of workers).
 *
 * Each call runs as an `Operation` (lib/operation.ts), exactly like an in-thread reactor-bound
 * call: in its own call context, so `currentSignal()`, `blockingBody()` and `eventualBody()`
 * work, and a caller's timeout or `cancel()` aborts that signal. Its outcome crosses back by
 * value (by-value.ts), or as a reference when the caller declared the method remote.
 *
 * Context: everything here runs on the host's own thread, from its event loop.
 */
import * as clock from '../../core/clock';
import { BroadcastChannel } from 'node:worker_threads';
import { callStorage } from '../../core/call-context';
import {
  CancelledError,
  DeadlockError,
  ReactorStopped,
  ReactorThreadError,
  timedOut,
} from '../../errors';
import type { Report } from '../../core/logger';
import { messages } from '../../messages';
import { Operation, type OperationOwner } from '../../core/operation';
import {
  CALL_BLOCKING,
  CALL_REMOTE,
  EXIT_CODE,
  HEADS_UP,
  HostState,
  STATE,
  hubChannelName,
  newHostAddress,
  type CallRequest,
  type ConnectRequest,
  type HostAddress,
  type RemoteRef,
  type Request,
} from '../transport/protocol';
import { HostConnection } from './host-connection';
import { DEFAULT_HOST_SPIN_US, HostSpin } from './host-spin';
import { MethodTable } from './method-table';
import { HostCall, replyError, sendResult } from './host-call';
import { HostedObjects } from './hosted-objects';
import { ServiceModules } from './service-modules';
import { hostedHere } from '../transport/local-hosts';
import { encodeThrown } from '../transport/wire';

export interface ServiceHostOptions {
  readonly name: string;
  /** Spin budget after a reply to a blocking call, in microseconds (0 disables). */
  readonly spinMicros?: number;
  /**
   * Worker mode: the host keeps its thread alive while idle, and fails calls that nothing can
   * settle when the thread's loop runs dry.
   */
  readonly ownsThread?: boolean;
  /**
   * Where failures nobody observed are reported, already marked with the host's name: the
   * application's logger (the main thread's reactor), directly or through the worker's port.
   */
  readonly report: Report;
}

export class ServiceHost implements OperationOwner {
  readonly address: HostAddress;
  private readonly state: Int32Array;
  private readonly hub: BroadcastChannel;
  private readonly connections = new Set<HostConnection>();
  private readonly objects = new HostedObjects();
  private readonly modules: ServiceModules;
  private readonly calls = new Map<Operation, HostCall>();
  private readonly callIds = new Map<HostConnection, Map<number, Operation>>();
  private readonly methods = new MethodTable();
  private readonly spin: HostSpin;
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: ServiceHostOptions,
    address: HostAddress = newHostAddress(options.name),
  ) {
    this.address = address;
    this.modules = new ServiceModules(address.name);
    this.state = new Int32Array(address.state);
    hostedHere.add(address.id);
    this.spin = new HostSpin(
      options.spinMicros ?? DEFAULT_HOST_SPIN_US,
      this.state,
      this.connections,
      (connection, request) => this.handle(connection, request),
    );
    this.hub = new BroadcastChannel(hubChannelName(address.id));
    this.hub.onmessage = (event) =>
      this.accept((event as { data: unknown }).data as ConnectRequest);
    this.hub.unref();
    if (options.ownsThread === true) {
      // Ref'd only while no call is pending: an idle host waits for requests; a host whose
      // pending calls are all that is left finds out at 'beforeExit' (see failUnsettleable).
      this.keepAlive = clock.setRealInterval(() => undefined, 2 ** 30);
      process.on('beforeExit', () => this.failUnsettleable());
    }
    Atomics.store(this.state, STATE, HostState.running);
  }

  get running(): boolean {
    return Atomics.load(this.state, STATE) === HostState.running;
  }

  /** Opens a connection (on the hub, or for the spawning thread directly). */
  accept(request: ConnectRequest): void {
    if (request?.k !== 'connect') return;
    const connection = new HostConnection(request.channel, request.control);
    connection.channel.onmessage = (event) => {
      connection.handled += 1;
      this.spin.arrived();
      this.handle(connection, (event as { data: unknown }).data as Request);
    };
    connection.channel.unref();
    this.connections.add(connection);
    this.callIds.set(connection, new Map());
    connection.post({ k: 'welcome' });
  }

  /** The connection whose blocking call is running here, for output replay. */
  blockingCaller(): HostConnection | undefined {
    const context = callStorage.getStore();
    if (!(context instanceof Operation)) return undefined;
    const call = this.calls.get(context);
    return call !== undefined && call.blocking && !call.dropped ? call.connection : undefined;
  }

  /** Keeps `value` here (an object the hosting thread exposes) and returns its reference. */
  expose(value: object): RemoteRef {
    return this.objects.expose(value);
  }

  /** Stops: pending calls fail with ReactorStopped and every caller is woken. */
  stop(): void {
    // Not gated on the shared state: the thread that started a reactor thread marks it stopped
    // (releasing its callers at once) before it asks the thread to stop, and the calls still
    // running here must be stopped all the same (their signals abort).
    if (this.stopped) return;
    this.stopped = true;
    if (this.running) Atomics.store(this.state, STATE, HostState.stopped);
    for (const operation of [...this.calls.keys()]) {
      operation.stop(new ReactorStopped(messages.threadStopped(this.address.name)));
    }
    this.close();
  }

  /** After stop(): disposes the services this host constructed (hosted-objects.ts). */
  dispose(): Promise<void> {
    return this.objects.disposeAll((message, error) => this.report(message, error));
  }

  /** The thread is going down after an uncaught exception: callers get it as the cause. */
  crash(error: unknown): void {
    if (!this.running) return;
    Atomics.store(this.state, STATE, HostState.crashed);
    const encoded = encodeThrown(error);
    for (const connection of this.connections) {
      try {
        connection.post({ k: 'down', state: HostState.crashed, error: encoded });
      } catch {
        // That caller's channel is gone already.
      }
    }
    this.close();
  }

  /** The thread exits (process.exit in it, or its end). */
  exited(code: number): void {
    if (!this.running) return;
    Atomics.store(this.state, EXIT_CODE, code);
    Atomics.store(this.state, STATE, HostState.exited);
    this.close();
  }

  /** OperationOwner: a call settled; send its outcome to its caller. */
  operationSettled(operation: Operation): void {
    const call = this.calls.get(operation);
    if (call === undefined) return;
    this.calls.delete(operation);
    this.callIds.get(call.connection)?.delete(call.id);
    if (this.calls.size === 0) this.keepAlive?.ref();
    if (call.dropped) return;
    if (call.blocking) call.connection.soon();
    if (operation.failed) replyError(call.connection, call.id, operation.error);
    else sendResult(call, operation.value, this.objects);
    if (call.blocking) this.spin.afterBlockingReply();
  }

  /** OperationOwner: reports through `options.report`, naming this thread. */
  report(message: string, error?: unknown): void {
    const where = ` (in reactor thread '${this.address.name}')`;
    // "...: <error>" when an error follows; a report without one ends its sentence.
    if (error === undefined) this.options.report(`${message.replace(/([.:])$/, '')}${where}.`);
    else this.options.report(`${message.replace(/:$/, '')}${where}:`, error);
  }

  private close(): void {
    try {
      this.hub.close();
    } catch {
      // Already closed.
    }
    for (const connection of this.connections) {
      connection.wake();
      connection.close();
    }
    this.connections.clear();
    if (this.keepAlive !== undefined) clock.clearRealInterval(this.keepAlive);
  }

  /** The reply to a request that is not a call (load, new, functions, retain). */
  private reply(connection: HostConnection, id: number, failed: boolean, value: unknown): void {
    connection.soon();
    if (failed) replyError(connection, id, value);
    else connection.post([id, value]);
  }

  /** Replies when `outcome` settles: its value, or a reference to it (`asRef`), or its error. */
  private answer(
    connection: HostConnection,
    id: number,
    outcome: Promise<unknown>,
    asRef: boolean,
    className?: string,
  ): void {
    outcome.then(
      (value) => {
        if (!asRef) return this.reply(connection, id, false, value);
        connection.soon();
        connection.post({ k: 'ref', id, ref: this.objects.expose(value as object, className) });
      },
      (error: unknown) => this.reply(connection, id, true, error),
    );
  }

  private handle(connection: HostConnection, request: Request): void {
    if (request === HEADS_UP) {
      this.spin.awaitAnnounced(connection);
      return;
    }
    if (Array.isArray(request)) {
      this.call(connection, request);
      return;
    }
    switch (request.k) {
      case 'cancel':
        this.cancel(connection, request.id, request.timeoutMs);
        return;
      case 'load':
        this.answer(connection, request.id, this.modules.exportsOf(request.path), false);
        return;
      case 'new': {
        const { path, exportName, args, dispose, disposeTimeoutMs } = request;
        const made = this.modules.construct(path, exportName, args).then((instance) => {
          this.objects.own(instance, exportName, dispose, disposeTimeoutMs);
          return instance;
        });
        this.answer(connection, request.id, made, true);
        return;
      }
      case 'functions':
        this.answer(
          connection,
          request.id,
          this.modules.functionsOf(request.path),
          true,
          request.path,
        );
        return;
      case 'retain':
        this.reply(connection, request.id, false, this.objects.retain(request.target));
        return;
      case 'release':
        this.objects.release(request.target);
        return;
      case 'bye':
        connection.close();
        this.connections.delete(connection);
        return;
    }
  }

  private call(connection: HostConnection, request: CallRequest): void {
    const [id, target, method, flags] = request;
    const args = request.slice(4);
    const blocking = (flags & CALL_BLOCKING) !== 0;
    const hosted = this.objects.get(target);
    if (hosted === undefined) {
      const what = `${method}() in reactor thread '${this.address.name}'`;
      const error = new ReactorThreadError(messages.threadReleased(what), 'released');
      this.reply(connection, id, true, error);
      return;
    }
    const call = new HostCall(
      connection,
      id,
      blocking,
      (flags & CALL_REMOTE) !== 0,
      hosted.className,
      method,
      this.address.name,
    );
    const value = hosted.value;
    const entry = this.methods.lookup(value, method);
    if (entry === undefined) {
      this.reply(connection, id, true, new TypeError(`crochet: ${call.what} is not a method.`));
      return;
    }
    const kind = entry.kind ?? (blocking ? 'waitFor' : 'runInReactor');
    const operation = new Operation(this, kind);
    this.calls.set(operation, call);
    this.callIds.get(connection)?.set(id, operation);
    this.keepAlive?.unref();
    operation.start(entry.fn, value, args);
  }

  private cancel(connection: HostConnection, id: number, timeoutMs: number | undefined): void {
    const operation = this.callIds.get(connection)?.get(id);
    const call = operation === undefined ? undefined : this.calls.get(operation);
    if (operation === undefined || call === undefined) return;
    // The caller has already ended the call: no reply is sent and the body's signal aborts.
    call.dropped = true;
    if (timeoutMs === undefined) {
      // cancel(): ended here too, exactly as in-thread, so nothing the body does is reported.
      const reason = new DOMException('The operation was cancelled.', 'AbortError');
      operation.cancel(new CancelledError(messages.cancelled(), { cause: reason }));
      return;
    }
    // A timeout: only a failure that cannot be the abort's consequence is reported
    // (Operation.abortCaused), as for an in-thread @waitFor.
    operation.abandon(timedOut(timeoutMs, call.what), messages.lateFailure());
  }

  /** The thread's loop ran dry while calls were pending: nothing can ever settle them. */
  private failUnsettleable(): void {
    if (this.calls.size === 0 || !this.running) return;
    for (const [operation, call] of [...this.calls]) {
      operation.fail(new DeadlockError(messages.threadNeverSettles(call.what), 'nothing-pending'));
    }
    this.keepAlive?.ref();
  }
}
