/**
 * The calls running on a host, found by operation and by each connection's call id. A call
 * request runs as an `Operation` (core/operation.ts), exactly like an in-thread reactor-bound
 * call: in its own call context, so `currentSignal()`, `blockingBody()` and `eventualBody()`
 * work, and a caller's timeout or `cancel()` aborts that signal. When it settles, its outcome
 * goes back to its caller (host-call.ts) and, after a blocking call, the host spins for the next
 * one (host-spin.ts).
 *
 * Context: the host's thread, from its event loop.
 */
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
import { CALL_BLOCKING, CALL_BUFFERS, CALL_REMOTE, type CallRequest } from '../transport/protocol';
import { restoreBuffers } from '../transport/buffers';
import type { HostConnection } from './host-connection';
import type { HostSpin } from './host-spin';
import { MethodTable } from './method-table';
import { HostCall, replyError, replyNow, sendResult } from './host-call';
import type { HostedObjects } from './hosted-objects';

export class HostCalls implements OperationOwner {
  private readonly calls = new Map<Operation, HostCall>();
  private readonly callIds = new Map<HostConnection, Map<number, Operation>>();
  private readonly methods = new MethodTable();

  /**
   * @param keepAlive the timer that keeps a worker's idle host alive: unref'd while calls are
   * pending, so that a thread whose pending calls are all that is left runs dry
   * (failUnsettleable).
   * @param reportTo reports a failure nobody observed, naming the host's thread.
   */
  constructor(
    private readonly hostName: string,
    private readonly objects: HostedObjects,
    private readonly spin: HostSpin,
    private readonly keepAlive: NodeJS.Timeout | undefined,
    private readonly reportTo: Report,
  ) {}

  /** A new connection, whose calls a cancel request names by id. */
  opened(connection: HostConnection): void {
    this.callIds.set(connection, new Map());
  }

  /** The connection whose blocking call is running here, for output replay. */
  blockingCaller(): HostConnection | undefined {
    const context = callStorage.getStore();
    if (!(context instanceof Operation)) return undefined;
    const call = this.calls.get(context);
    return call !== undefined && call.blocking && !call.dropped ? call.connection : undefined;
  }

  /** Starts the method a call request names, or replies with why it cannot run. */
  start(connection: HostConnection, request: CallRequest): void {
    const [id, target, method, flags] = request;
    const args = request.slice(4);
    if ((flags & CALL_BUFFERS) !== 0) restoreBuffers(args);
    const blocking = (flags & CALL_BLOCKING) !== 0;
    const hosted = this.objects.get(target);
    if (hosted === undefined) {
      const what = `${method}() in reactor thread '${this.hostName}'`;
      const error = new ReactorThreadError(messages.threadReleased(what), 'released');
      replyNow(connection, id, true, error);
      return;
    }
    const call = new HostCall(
      connection,
      id,
      blocking,
      (flags & CALL_REMOTE) !== 0,
      hosted.className,
      method,
      this.hostName,
    );
    const value = hosted.value;
    const entry = this.methods.lookup(value, method);
    if (entry === undefined) {
      replyNow(connection, id, true, new TypeError(`crochet: ${call.what} is not a method.`));
      return;
    }
    const kind = entry.kind ?? (blocking ? 'waitFor' : 'runInReactor');
    const operation = new Operation(this, kind);
    this.calls.set(operation, call);
    this.callIds.get(connection)?.set(id, operation);
    this.keepAlive?.unref();
    operation.start(entry.fn, value, args);
  }

  /** The caller ended call `id`: by a timeout (`timeoutMs`) or by `cancel()`. */
  cancel(connection: HostConnection, id: number, timeoutMs: number | undefined): void {
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

  /** OperationOwner: reports through the host, which names its thread. */
  report(message: string, error: unknown): void {
    this.reportTo(message, error);
  }

  /** The host stops: every pending call fails with ReactorStopped (its signal aborts). */
  stopAll(): void {
    for (const operation of [...this.calls.keys()]) {
      operation.stop(new ReactorStopped(messages.threadStopped(this.hostName)));
    }
  }

  /** The thread's loop ran dry while calls were pending: nothing can ever settle them. */
  failUnsettleable(): void {
    if (this.calls.size === 0) return;
    for (const [operation, call] of [...this.calls]) {
      operation.fail(new DeadlockError(messages.threadNeverSettles(call.what), 'nothing-pending'));
    }
    this.keepAlive?.ref();
  }
}
