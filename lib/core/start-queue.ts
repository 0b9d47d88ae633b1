/**
 * Eventual calls whose bodies have not started, in call order. Bodies start in the order the
 * calls were made (Crochet's callFromThread is FIFO): from one microtask after the calls, or
 * earlier, right before a blocking call's body, which must not overtake them.
 *
 * Context: the controller's thread.
 */
import type { Operation } from './operation';
import { queueRealMicrotask } from './clock';

interface QueuedStart {
  readonly operation: Operation;
  readonly fn: (...args: unknown[]) => unknown;
  readonly thisArg: unknown;
  readonly args: unknown[];
}

export class StartQueue {
  private readonly queue: QueuedStart[] = [];
  private head = 0;
  private scheduled = false;

  /** Queues a body; the queue starts within a microtask unless a blocking call starts it first. */
  push(
    operation: Operation,
    fn: (...args: unknown[]) => unknown,
    thisArg: unknown,
    args: unknown[],
  ): void {
    this.queue.push({ operation, fn, thisArg, args });
    if (!this.scheduled) {
      this.scheduled = true;
      queueRealMicrotask(this.startAll);
    }
  }

  /** Before a blocking call's body: the bodies of the calls made before it start first. */
  startPending(): void {
    if (this.head !== this.queue.length) this.startAll();
  }

  /**
   * Starts every queued body, oldest first. Re-entrant: a body that makes a blocking call starts
   * the rest of the queue before its own call, so the order holds.
   */
  private readonly startAll = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    while (this.head < queue.length) {
      const next = queue[this.head] as QueuedStart;
      queue[this.head] = undefined as unknown as QueuedStart;
      this.head += 1;
      next.operation.start(next.fn, next.thisArg, next.args);
    }
    queue.length = 0;
    this.head = 0;
  };
}
