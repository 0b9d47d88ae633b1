/**
 * The calls a connection waits for, by id, and what each message from the host does to them: a
 * value, a reference or an error settles its call (the reply of a call given up is dropped, and
 * a reference in it given back to the host); output is written to this thread's stdout or
 * stderr; 'welcome' and 'down' are noted for the connection.
 *
 * Context: the thread that owns the connection.
 */
import type { Reply, Request } from '../transport/protocol';
import { decodeThrown } from '../transport/wire';
import { restoreBuffers } from '../transport/buffers';
import type { Settleable } from './pending-call';

export class ReplyDispatch {
  /** The host has opened its side of the connection. */
  welcomed = false;
  /** Why the host went down (its uncaught exception, rebuilt), once it has said so. */
  downCause: unknown = undefined;
  private lastId = 0;
  private readonly pending = new Map<number, Settleable>();

  /** `sendQuietly` tells the host what nobody here waits for any more. */
  constructor(private readonly sendQuietly: (request: Request) => void) {}

  /** The id for a new call. */
  newId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** The reply to call `id` will settle `target`. */
  expect(id: number, target: Settleable): void {
    this.pending.set(id, target);
  }

  /** Stops waiting for the reply to call `id` (a later reply is dropped as stale). */
  forget(id: number): void {
    this.pending.delete(id);
  }

  dispatch(reply: Reply): void {
    if (Array.isArray(reply)) {
      const target = this.claim(reply[0]);
      target?.resolve(reply.length > 2 ? restoreBuffers(reply[1]) : reply[1]);
      return;
    }
    switch (reply.k) {
      case 'ref': {
        const target = this.claim(reply.id);
        if (target !== undefined) target.resolveRef(reply.ref);
        // Nobody waits for it any more: give the host its reference back.
        else this.sendQuietly({ k: 'release', target: reply.ref.$crochetRef });
        return;
      }
      case 'err':
        this.claim(reply.id)?.reject(reply.error);
        return;
      case 'out':
        (reply.fd === 1 ? process.stdout : process.stderr).write(reply.chunk);
        return;
      case 'welcome':
        this.welcomed = true;
        return;
      case 'down':
        this.downCause = decodeThrown(reply.error);
        return;
    }
  }

  /** Every call still waiting fails with `error`. */
  failAll(error: unknown): void {
    const targets = [...this.pending.values()];
    this.pending.clear();
    for (const target of targets) target.lose(error);
  }

  /** The pending call a reply is for; undefined for a stale reply (an abandoned call). */
  private claim(id: number): Settleable | undefined {
    const target = this.pending.get(id);
    if (target !== undefined) this.pending.delete(id);
    return target;
  }
}
