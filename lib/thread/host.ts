/**
 * The host side: a thread with a free event loop that keeps service objects and runs calls on
 * them for callers in other threads. The reactor thread's worker runs one (worker-entry.ts);
 * `hostServices()` runs one on the calling thread (the main thread serving a pool of workers).
 *
 * Each call runs as an `Operation` (lib/operation.ts), exactly like an in-thread reactor-bound
 * call: in its own call context, so `currentSignal()`, `blockingBody()` and `eventualBody()`
 * work, and a caller's timeout or `cancel()` aborts that signal.
 *
 * Context: everything here runs on the host's own thread, from its event loop.
 */
import * as clock from '../clock';
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import type { ReactorMethodKind } from '../call-context';
import { callStorage } from '../call-context';
import {
  CancelledError,
  DeadlockError,
  ReactorStopped,
  ReactorThreadError,
  TimeoutError,
} from '../errors';
import type { Report } from '../logger';
import { messages } from '../messages';
import { Operation, type OperationHost } from '../operation';
import { reactorMethods, type AnyClass } from '../reactor-methods';
import { unwrap } from '../decorators';
import {
  CALLER_SLEEPING,
  HostState,
  REPLIES,
  REPLY_SOON,
  REQUESTS,
  STATE,
  EXIT_CODE,
  HEADS_UP,
  HOST_IDLE,
  hubChannelName,
  type ConnectRequest,
  type ExportInfo,
  type HostAddress,
  type RemoteRef,
  type Reply,
  type Request,
} from './protocol';
import { AdaptiveSpin } from './adaptive-spin';
import { hostedHere } from './connection';
import { describeClass, describeMethods, encodeThrown, isRemotable } from './wire';

/** How long the host keeps spinning for the next request after a reply, in microseconds. */
export const DEFAULT_HOST_SPIN_US = 50;
/** A burst of spinning never holds the event loop longer than this (ms) without a loop turn. */
const MAX_BURST_MS = 2;
/**
 * Longest wait, spinning, for the call that a heads-up announced (µs). Adaptive: on a machine
 * short of cores the host would hold the core the caller needs to clone the call.
 */
export const HEADS_UP_SPIN_US = 500;

type Constructible = new (...args: unknown[]) => object;
type Method = (...args: unknown[]) => unknown;

class HostConnection {
  handled = 0;
  readonly control: Int32Array;
  readonly channel: BroadcastChannel;
  constructor(name: string, control: SharedArrayBuffer) {
    this.control = new Int32Array(control);
    this.channel = new BroadcastChannel(name);
  }

  post(reply: Reply): void {
    this.channel.postMessage(reply);
    Atomics.add(this.control, REPLIES, 1);
    Atomics.notify(this.control, REPLIES);
  }

  /** The reply to a blocking call follows: wake a sleeping caller now (see REPLY_SOON). */
  soon(): void {
    if (Atomics.load(this.control, CALLER_SLEEPING) === 0) return;
    Atomics.add(this.control, REPLY_SOON, 1);
    Atomics.notify(this.control, REPLIES);
  }

  wake(): void {
    Atomics.add(this.control, REPLIES, 1);
    Atomics.notify(this.control, REPLIES);
  }
}

class CallRecord {
  /** The caller gave up (timeout): the outcome is not sent. */
  dropped = false;
  constructor(
    readonly connection: HostConnection,
    readonly id: number,
    readonly blocking: boolean,
    private readonly target: object | string,
    private readonly method: string,
    private readonly hostName: string,
  ) {}

  /** The call, for messages; built only when one is needed. */
  get what(): string {
    if (typeof this.target === 'string' && this.method === '') return this.target;
    const className =
      typeof this.target === 'string' ? this.target : (this.target.constructor?.name ?? 'Object');
    return `${className}.${this.method}() in reactor thread '${this.hostName}'`;
  }
}

interface Hosted {
  readonly value: object;
  refs: number;
}

interface MethodEntry {
  readonly fn: Method;
  readonly kind: ReactorMethodKind | undefined;
}

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

let hostCount = 0;

export class ServiceHost implements OperationHost {
  readonly address: HostAddress;
  private readonly state: Int32Array;
  private readonly hub: BroadcastChannel;
  private readonly connections = new Set<HostConnection>();
  private readonly objects = new Map<number, Hosted>();
  private readonly refIds = new WeakMap<object, number>();
  private nextRef = 1;
  private readonly calls = new Map<Operation, CallRecord>();
  private readonly callIds = new Map<HostConnection, Map<number, Operation>>();
  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();
  private readonly methodCache = new WeakMap<object, Map<string, MethodEntry>>();
  private readonly spinBudget: AdaptiveSpin;
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private spinning = false;
  /** Mirrors HOST_IDLE in the shared state. */
  private idle = true;
  /** The spin for a call a heads-up announced. */
  private readonly headsUpSpin: AdaptiveSpin;
  /** Its budget, drawn when the host last went idle (ms; 0: none). */
  private headsUpMs = 0;
  private burstStart = 0;
  private repliedInSpin = false;

  constructor(
    private readonly options: ServiceHostOptions,
    address?: HostAddress,
  ) {
    hostCount += 1;
    this.address = address ?? {
      id: `${process.pid}-${Date.now().toString(36)}-${hostCount}-${Math.random().toString(36).slice(2, 8)}`,
      name: options.name,
      state: new SharedArrayBuffer(16),
    };
    this.state = new Int32Array(this.address.state);
    hostedHere.add(this.address.id);
    const spinMicros = options.spinMicros ?? DEFAULT_HOST_SPIN_US;
    this.spinBudget = new AdaptiveSpin(spinMicros);
    this.headsUpSpin = new AdaptiveSpin(spinMicros > 0 ? HEADS_UP_SPIN_US : 0, HEADS_UP_SPIN_US);
    this.headsUpMs = this.headsUpSpin.nextMs();
    this.hub = new BroadcastChannel(hubChannelName(this.address.id));
    this.hub.onmessage = (event) =>
      this.accept((event as { data: unknown }).data as ConnectRequest);
    this.hub.unref();
    if (options.ownsThread === true) {
      // Ref'd only while no call is pending: an idle host waits for requests; a host whose
      // pending calls are all that is left finds out at 'beforeExit' (see failUnsettleable).
      this.keepAlive = clock.setRealInterval(() => undefined, 2 ** 30);
      process.on('beforeExit', () => this.failUnsettleable());
    }
    this.idle = this.headsUpMs > 0;
    Atomics.store(this.state, HOST_IDLE, this.idle ? 1 : 0);
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
      this.burstStart = clock.now();
      this.busy();
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
    const record = this.calls.get(context);
    return record !== undefined && record.blocking && !record.dropped
      ? record.connection
      : undefined;
  }

  /** Keeps `value` here and returns the reference callers use for it (one more ref). */
  expose(value: object): RemoteRef {
    let id = this.refIds.get(value);
    const existing = id === undefined ? undefined : this.objects.get(id);
    if (id === undefined || existing === undefined) {
      id = this.nextRef;
      this.nextRef += 1;
      this.refIds.set(value, id);
      this.objects.set(id, { value, refs: 1 });
    } else {
      existing.refs += 1;
    }
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    return {
      $crochetRef: id,
      className: ctor?.name ?? 'Object',
      methods: describeMethods(value),
    };
  }

  /** Stops: pending calls fail with ReactorStopped and every caller is woken. */
  stop(): void {
    if (!this.running) return;
    Atomics.store(this.state, STATE, HostState.stopped);
    for (const operation of [...this.calls.keys()]) {
      operation.stop(new ReactorStopped(messages.threadStopped(this.address.name)));
    }
    this.close();
  }

  /** The thread is going down after an uncaught exception: callers get it as the cause. */
  crash(error: unknown): void {
    if (!this.running) return;
    Atomics.store(this.state, STATE, HostState.crashed);
    const encoded = encodeThrown(error);
    for (const connection of this.connections) {
      safely(() => connection.post({ k: 'down', state: HostState.crashed, error: encoded }));
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

  /** OperationHost: a call settled; send its outcome to its caller. */
  operationSettled(operation: Operation): void {
    const record = this.calls.get(operation);
    if (record === undefined) return;
    this.calls.delete(operation);
    this.callIds.get(record.connection)?.delete(record.id);
    if (this.calls.size === 0) this.keepAlive?.ref();
    if (record.dropped) return;
    this.sendOutcome(
      record,
      operation.failed,
      operation.failed ? operation.error : operation.value,
    );
    if (record.blocking) this.spin();
  }

  /** OperationHost: reports through `options.report`, naming this thread. */
  report(message: string, error: unknown): void {
    this.options.report(
      `${message.replace(/:$/, '')} (in reactor thread '${this.address.name}'):`,
      error,
    );
  }

  private close(): void {
    safely(() => this.hub.close());
    for (const connection of this.connections) {
      connection.wake();
      safely(() => connection.channel.close());
    }
    this.connections.clear();
    if (this.keepAlive !== undefined) clock.clearRealInterval(this.keepAlive);
  }

  private sendOutcome(record: CallRecord, failed: boolean, value: unknown): void {
    const { connection, id } = record;
    if (record.blocking) connection.soon();
    if (failed) {
      connection.post({ k: 'err', id, error: encodeThrown(value) });
      return;
    }
    if (isRemotable(value)) {
      connection.post({ k: 'ref', id, ref: this.expose(value) });
      return;
    }
    try {
      connection.post([id, value]);
    } catch (error) {
      const problem = new TypeError(messages.threadUncloneableResult(record.what), {
        cause: error,
      });
      connection.post({ k: 'err', id, error: encodeThrown(problem) });
    }
  }

  private reply(
    connection: HostConnection,
    id: number,
    failed: boolean,
    value: unknown,
    what: string,
  ): void {
    this.sendOutcome(new CallRecord(connection, id, true, what, '', ''), failed, value);
  }

  private handle(connection: HostConnection, request: Request): void {
    if (request === HEADS_UP) {
      this.awaitAnnounced(connection);
      return;
    }
    if (Array.isArray(request)) {
      this.call(connection, request[0], request[1], request[2], request.slice(4), request[3]);
      return;
    }
    switch (request.k) {
      case 'cancel':
        this.cancel(connection, request.id, request.timeoutMs);
        return;
      case 'load':
        this.load(request.path).then(
          (exports) => this.reply(connection, request.id, false, exports, 'load()'),
          (error: unknown) =>
            this.reply(connection, request.id, true, this.loadError(request.path, error), 'load()'),
        );
        return;
      case 'new':
        this.construct(connection, request.id, request.path, request.exportName, request.args);
        return;
      case 'retain': {
        const hosted = this.objects.get(request.target);
        if (hosted !== undefined) hosted.refs += 1;
        this.reply(connection, request.id, false, hosted !== undefined, 'retain');
        return;
      }
      case 'release': {
        const hosted = this.objects.get(request.target);
        if (hosted !== undefined) {
          hosted.refs -= 1;
          if (hosted.refs <= 0) {
            this.objects.delete(request.target);
            this.refIds.delete(hosted.value);
          }
        }
        return;
      }
      case 'bye':
        safely(() => connection.channel.close());
        this.connections.delete(connection);
        return;
    }
  }

  private call(
    connection: HostConnection,
    id: number,
    target: number,
    method: string,
    args: unknown[],
    blocking: boolean,
  ): void {
    const hosted = this.objects.get(target);
    const record = new CallRecord(
      connection,
      id,
      blocking,
      hosted?.value ?? 'Object',
      method,
      this.address.name,
    );
    if (hosted === undefined) {
      const error = new ReactorThreadError(messages.threadReleased(record.what), 'released');
      this.reply(connection, id, true, error, record.what);
      return;
    }
    const entry = this.methodOf(hosted.value, method);
    if (entry === undefined) {
      const error = new TypeError(`crochet: ${record.what} is not a method.`);
      this.reply(connection, id, true, error, record.what);
      return;
    }
    const kind = entry.kind ?? (blocking ? 'waitFor' : 'runInReactor');
    const operation = new Operation(this, kind);
    this.calls.set(operation, record);
    this.callIds.get(connection)?.set(id, operation);
    this.keepAlive?.unref();
    operation.start(entry.fn, hosted.value, args);
  }

  private cancel(connection: HostConnection, id: number, timeoutMs: number | undefined): void {
    const operation = this.callIds.get(connection)?.get(id);
    const record = operation === undefined ? undefined : this.calls.get(operation);
    if (operation === undefined || record === undefined) return;
    // The caller has already ended the call: no reply is sent and the body's signal aborts.
    record.dropped = true;
    if (timeoutMs === undefined) {
      // cancel(): ended here too, exactly as in-thread, so nothing the body does is reported.
      const reason = new DOMException('The operation was cancelled.', 'AbortError');
      operation.cancel(new CancelledError(messages.cancelled(), { cause: reason }));
      return;
    }
    // A timeout: only a failure that cannot be the abort's consequence is reported
    // (Operation.abortCaused), as for an in-thread @waitFor.
    operation.abandon(
      new TimeoutError(messages.timeout(timeoutMs, record.what), timeoutMs),
      messages.lateFailure(),
    );
  }

  private methodOf(value: object, name: string): MethodEntry | undefined {
    const proto = Object.getPrototypeOf(value) as object | null;
    const cacheKey = proto !== null && proto !== Object.prototype ? proto : value;
    let cache = this.methodCache.get(cacheKey);
    if (cache === undefined) {
      cache = new Map();
      this.methodCache.set(cacheKey, cache);
    }
    const cached = cache.get(name);
    const current = (value as Record<string, unknown>)[name];
    if (cached !== undefined && (cached.fn === current || originalOf(current) === cached.fn))
      return cached;
    if (typeof current !== 'function') return undefined;
    const ctor = (value as { constructor?: unknown }).constructor;
    const decorated =
      typeof ctor === 'function' && ctor !== Object
        ? reactorMethods(ctor as AnyClass).find((e) => !e.static && e.name === name)
        : undefined;
    const original = originalOf(current) ?? (current as Method);
    const entry: MethodEntry = { fn: original, kind: decorated?.kind };
    // Only a method of the prototype is cached: an own function may be replaced (sinon) any time.
    if (cacheKey !== value || proto === Object.prototype) cache.set(name, entry);
    return entry;
  }

  private load(modulePath: string): Promise<ExportInfo[]> {
    return this.importModule(modulePath).then((ns) =>
      Object.entries(classesOf(ns)).map(([name, cls]) => ({ name, methods: describeClass(cls) })),
    );
  }

  private importModule(modulePath: string): Promise<Record<string, unknown>> {
    let loaded = this.modules.get(modulePath);
    if (loaded === undefined) {
      loaded = loadModule(modulePath);
      this.modules.set(modulePath, loaded);
      loaded.catch(() => this.modules.delete(modulePath));
    }
    return loaded;
  }

  private loadError(modulePath: string, error: unknown): ReactorThreadError {
    return new ReactorThreadError(
      messages.threadLoadFailed(modulePath, this.address.name),
      'load-failed',
      {
        cause: error,
      },
    );
  }

  private construct(
    connection: HostConnection,
    id: number,
    modulePath: string,
    exportName: string,
    args: unknown[],
  ): void {
    const what = `new ${exportName}() in reactor thread '${this.address.name}'`;
    this.importModule(modulePath).then(
      (ns) => {
        const classes = classesOf(ns);
        const cls = classes[exportName];
        if (cls === undefined) {
          const error = new ReactorThreadError(
            messages.threadUnknownExport(modulePath, exportName, Object.keys(classes)),
            'unknown-export',
          );
          this.reply(connection, id, true, error, what);
          return;
        }
        let instance: object;
        try {
          instance = new (cls as unknown as Constructible)(...args);
        } catch (error) {
          this.reply(connection, id, true, error, what);
          return;
        }
        connection.post({ k: 'ref', id, ref: this.expose(instance) });
      },
      (error: unknown) => this.reply(connection, id, true, this.loadError(modulePath, error), what),
    );
  }

  /** Working: callers need not post heads-ups (HOST_IDLE), written only when it changes. */
  private busy(): void {
    if (this.idle) {
      this.idle = false;
      Atomics.store(this.state, HOST_IDLE, 0);
    }
  }

  /**
   * Back to the event loop with nothing to spin for: callers post heads-ups (HOST_IDLE), while
   * spinning for the call a heads-up announces pays off.
   */
  private goIdle(): void {
    this.headsUpMs = this.headsUpSpin.nextMs();
    const idle = this.headsUpMs > 0;
    if (idle !== this.idle) {
      this.idle = idle;
      Atomics.store(this.state, HOST_IDLE, idle ? 1 : 0);
    }
  }

  /**
   * A heads-up arrived: its call is being cloned right now. Take it as soon as it is posted,
   * without waiting for another loop wake-up; after HEADS_UP_SPIN_MS the loop delivers it.
   */
  private awaitAnnounced(connection: HostConnection): void {
    // A stale heads-up (posted as spinning for them stopped): the loop delivers the call.
    if (this.headsUpMs <= 0) return;
    const start = clock.now();
    const until = start + this.headsUpMs;
    for (let i = 1; ; i += 1) {
      if (Atomics.load(connection.control, REQUESTS) !== connection.handled) {
        const received = receiveMessageOnPort(connection.channel as unknown as MessagePort);
        if (received !== undefined) {
          this.headsUpSpin.worked(clock.now() - start);
          connection.handled += 1;
          this.handle(connection, received.message as Request);
          return;
        }
      }
      if ((i & 63) === 0 && clock.now() >= until) {
        this.headsUpSpin.failed();
        return;
      }
    }
  }

  /**
   * Spin-before-sleep on the host side: right after replying to a blocking call, the next call
   * from a back-to-back caller usually follows within microseconds. Polling the request counters
   * for up to `spinMicros` takes it without waiting for a loop wake-up (tens of microseconds).
   * Bounded: a burst never holds the loop longer than MAX_BURST_MS without a loop turn.
   */
  private spin(): void {
    if (this.spinning) {
      this.repliedInSpin = true;
      return;
    }
    // Every way out but a call left running (whose reply spins again) goes back to the loop
    // idle, with `idle` set so that the next caller posts a heads-up.
    let callRunning = false;
    if (clock.now() - this.burstStart > MAX_BURST_MS) {
      this.goIdle();
      return;
    }
    let budget = this.spinBudget.nextMs();
    if (budget <= 0) {
      this.goIdle();
      return;
    }
    this.spinning = true;
    try {
      let spinStart = clock.now();
      let deadline = spinStart + budget;
      for (let i = 1; ; i += 1) {
        for (const connection of this.connections) {
          if (Atomics.load(connection.control, REQUESTS) === connection.handled) continue;
          const received = receiveMessageOnPort(connection.channel as unknown as MessagePort);
          if (received === undefined) continue;
          this.spinBudget.worked(clock.now() - spinStart);
          connection.handled += 1;
          this.repliedInSpin = false;
          this.busy();
          this.handle(connection, received.message as Request);
          // A call that settled synchronously has replied: keep spinning for the next one.
          // Otherwise return, so that its promise can settle; its reply spins again.
          if (!this.repliedInSpin) {
            callRunning = true;
            return;
          }
          budget = this.spinBudget.nextMs();
          if (budget <= 0) return;
          spinStart = clock.now();
          deadline = spinStart + budget;
        }
        if ((i & 15) === 0) {
          const now = clock.now();
          if (now > deadline) {
            this.spinBudget.failed();
            return;
          }
          if (now - this.burstStart > MAX_BURST_MS) return;
        }
      }
    } finally {
      this.spinning = false;
      if (!callRunning) this.goIdle();
    }
  }

  /** The thread's loop ran dry while calls were pending: nothing can ever settle them. */
  private failUnsettleable(): void {
    if (this.calls.size === 0 || !this.running) return;
    for (const [operation, record] of [...this.calls]) {
      operation.fail(
        new DeadlockError(messages.threadNeverSettles(record.what), 'nothing-pending'),
      );
    }
    this.keepAlive?.ref();
  }
}

/**
 * Loads a service module: require() first (CommonJS, and TypeScript under tsx's CommonJS hook,
 * which is what the reactor thread registers), import() for ES modules.
 */
const requireHere = createRequire(__filename);

async function loadModule(modulePath: string): Promise<Record<string, unknown>> {
  if (!/\.mjs$|\.mts$/.test(modulePath)) {
    try {
      return requireHere(modulePath) as Record<string, unknown>;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'ERR_REQUIRE_ESM') throw error;
    }
  }
  const specifier = path.isAbsolute(modulePath) ? pathToFileURL(modulePath).href : modulePath;
  return (await import(specifier)) as Record<string, unknown>;
}

/** The original of a decorated method, or undefined when it is not one. */
function originalOf(fn: unknown): Method | undefined {
  if (typeof fn !== 'function') return undefined;
  try {
    return unwrap(fn as Method) as Method;
  } catch {
    return undefined;
  }
}

function classesOf(ns: Record<string, unknown>): Record<string, AnyClass> {
  const classes: Record<string, AnyClass> = {};
  const add = (source: Record<string, unknown>): void => {
    for (const [name, value] of Object.entries(source)) {
      if (name !== 'default' && typeof value === 'function' && value.prototype !== undefined) {
        classes[name] ??= value as AnyClass;
      }
    }
  };
  add(ns);
  const fallback = ns['default'];
  if (typeof fallback === 'object' && fallback !== null) add(fallback as Record<string, unknown>);
  if (typeof fallback === 'function' && fallback.prototype !== undefined)
    classes['default'] ??= fallback as AnyClass;
  return classes;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Closing or posting to a channel that is already gone: nothing left to tell.
  }
}
