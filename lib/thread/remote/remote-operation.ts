/**
 * The outcome of an eventual call on a hosted object, held by its EventualResult: an Operation
 * of the caller's own controller (pending there, stopped with it) whose body runs in the host,
 * settled by the host's reply.
 *
 * Context: the thread that made the call.
 */
import { ReactorStopped } from '../../errors';
import { Operation, type OperationOwner } from '../../core/operation';
import type { Connection } from '../caller/connection';
import type { Settleable } from '../caller/pending-call';
import type { RemoteRef } from '../transport/protocol';
import { decodeThrown } from '../transport/wire';

export class RemoteOperation extends Operation implements Settleable {
  private cancelSent = false;
  constructor(
    owner: OperationOwner,
    private readonly connection: Connection,
    private readonly id: number,
    /** Makes a facade of a result declared remote. */
    private readonly onRef: (ref: RemoteRef) => unknown,
  ) {
    super(owner, 'runInReactor');
    // The body runs in the host; cancel() must only abort it, never fail it locally.
    this.started = true;
  }

  resolve(value: unknown): void {
    this.fulfil(value);
  }
  reject(wireError: unknown): void {
    this.fail(decodeThrown(wireError));
  }
  resolveRef(ref: RemoteRef): void {
    this.fulfil(this.onRef(ref));
  }
  lose(error: unknown): void {
    // Stopped with the reactor: the same path as an in-thread call, never reported as lost.
    if (error instanceof ReactorStopped) this.stop(error);
    else this.fail(error);
  }

  /** cancel() or a stop: the host aborts the body and sends no reply, so stop waiting for one. */
  override abort(reason: unknown): void {
    if (!this.settled && !this.cancelSent) {
      this.cancelSent = true;
      this.connection.forget(this.id);
      this.connection.sendQuietly({ k: 'cancel', id: this.id, timeoutMs: undefined });
    }
    super.abort(reason);
  }
}
