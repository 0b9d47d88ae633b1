/**
 * One call running here for a caller, and how its outcome goes back: an error encoded
 * (transport/wire.ts), a value by value (transport/by-value.ts), or a reference to it when the
 * caller declared the method remote; and the reply to a request answered at once.
 *
 * Context: the host's thread.
 */
import { messages } from '../../messages';
import { NotData, WithBuffers, byValue, notDataMessage } from '../transport/by-value';
import { encodeThrown } from '../transport/wire';
import type { HostConnection } from './host-connection';
import type { HostedObjects } from './hosted-objects';

/** One call running here for a caller. */
export class HostCall {
  /** The caller gave up (timeout): the outcome is not sent. */
  dropped = false;
  constructor(
    readonly connection: HostConnection,
    readonly id: number,
    readonly blocking: boolean,
    readonly remote: boolean,
    private readonly className: string,
    readonly method: string,
    private readonly hostName: string,
  ) {}

  /** The call, for messages; built only when one is needed. */
  get what(): string {
    return `${this.className}.${this.method}() in reactor thread '${this.hostName}'`;
  }
}

/** A call's value: by value, or as a reference when the caller declared it remote. */
export function sendResult(call: HostCall, value: unknown, objects: HostedObjects): void {
  const { connection, id } = call;
  if (call.remote && (typeof value === 'object' || typeof value === 'function') && value) {
    connection.post({ k: 'ref', id, ref: objects.expose(value) });
    return;
  }
  let data: unknown;
  try {
    data = byValue(value);
  } catch (error) {
    // Whatever went wrong reading the result (a getter that throws, say) fails this call only:
    // thrown from here, it would crash the thread and every object hosted there.
    const problem =
      error instanceof NotData
        ? new TypeError(notDataMessage(call.what, call.method, error))
        : new TypeError(messages.threadUncloneableResult(call.what), { cause: error });
    replyError(connection, id, problem);
    return;
  }
  try {
    connection.post(data instanceof WithBuffers ? [id, data.data, 1] : [id, data]);
  } catch (error) {
    const problem = new TypeError(messages.threadUncloneableResult(call.what), { cause: error });
    replyError(connection, id, problem);
  }
}

/**
 * The reply to a request that is answered here and now (a value, or an error when `failed`):
 * a sleeping caller is woken first, so that its wake-up overlaps the clone (REPLY_SOON).
 */
export function replyNow(
  connection: HostConnection,
  id: number,
  failed: boolean,
  value: unknown,
): void {
  connection.soon();
  if (failed) replyError(connection, id, value);
  else connection.post([id, value]);
}

/** A call's (or a request's) error, encoded for the caller. */
export function replyError(connection: HostConnection, id: number, error: unknown): void {
  connection.post({ k: 'err', id, error: encodeThrown(error) });
}
