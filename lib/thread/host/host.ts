/**
 * The host side: a thread with a free event loop that keeps objects (hosted-objects.ts) and runs
 * calls on them for callers in other threads. The reactor thread's worker runs one
 * (worker-entry.ts); `hostServices()` runs one on the calling thread (the main thread serving a
 * pool of workers).
 *
 * This module is the host as a whole: its life (running, stopped, crashed, exited), its
 * connections, and what each request asks for. The calls themselves are host-calls.ts; a
 * service's outcome crosses back by value (by-value.ts), or as a reference when the caller
 * declared the method remote.
 *
 * Context: everything here runs on the host's own thread, from its event loop.
 */
import * as clock from '../../core/clock';
import { BroadcastChannel } from 'node:worker_threads';
import type { Report } from '../../core/logger';
import {
  EXIT_CODE,
  HEADS_UP,
  HostState,
  STATE,
  hubChannelName,
  newHostAddress,
  type ConnectRequest,
  type HostAddress,
  type RemoteRef,
  type Request,
} from '../transport/protocol';
import { HostConnection } from './host-connection';
import { DEFAULT_HOST_SPIN_US, HostSpin } from './host-spin';
import { HostCalls } from './host-calls';
import { replyNow } from './host-call';
import { HostedObjects } from './hosted-objects';
import { ServiceModules } from './service-modules';
import { hostedHere } from '../transport/local-hosts';
import { encodeThrown } from '../transport/wire';
import { restoreBuffers } from '../transport/buffers';

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

export class ServiceHost {
  readonly address: HostAddress;
  private readonly state: Int32Array;
  private readonly hub: BroadcastChannel;
  private readonly connections = new Set<HostConnection>();
  private readonly objects = new HostedObjects();
  private readonly modules: ServiceModules;
  private readonly calls: HostCalls;
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
      process.on('beforeExit', () => {
        if (this.running) this.calls.failUnsettleable();
      });
    }
    const report: Report = (message, error) => this.report(message, error);
    this.calls = new HostCalls(address.name, this.objects, this.spin, this.keepAlive, report);
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
    this.calls.opened(connection);
    connection.post({ k: 'welcome' });
  }

  /** The connection whose blocking call is running here, for output replay. */
  blockingCaller(): HostConnection | undefined {
    return this.calls.blockingCaller();
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
    this.calls.stopAll();
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

  /** Reports through `options.report`, naming this thread. */
  private report(message: string, error?: unknown): void {
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
        if (!asRef) return replyNow(connection, id, false, value);
        connection.soon();
        connection.post({ k: 'ref', id, ref: this.objects.expose(value as object, className) });
      },
      (error: unknown) => replyNow(connection, id, true, error),
    );
  }

  private handle(connection: HostConnection, request: Request): void {
    if (request === HEADS_UP) {
      this.spin.awaitAnnounced(connection);
      return;
    }
    if (Array.isArray(request)) {
      this.calls.start(connection, request);
      return;
    }
    switch (request.k) {
      case 'cancel':
        this.calls.cancel(connection, request.id, request.timeoutMs);
        return;
      case 'load':
        this.answer(connection, request.id, this.modules.exportsOf(request.path), false);
        return;
      case 'new': {
        const { path, exportName, args, dispose, disposeTimeoutMs } = request;
        restoreBuffers(args);
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
        replyNow(connection, request.id, false, this.objects.retain(request.target));
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
}
