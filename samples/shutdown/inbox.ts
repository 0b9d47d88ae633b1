/**
 * A message inbox: `next()` resolves with the next message, waiting as long as it takes.
 * `close()` ends the inbox: every waiting `next()` resolves with `undefined` (end of stream).
 *
 * Reactor side: plain async code.
 */
export class Inbox {
  readonly #messages: string[] = [];
  readonly #waiters: ((message: string | undefined) => void)[] = [];
  #closed = false;

  constructor(readonly name: string) {}

  post(message: string): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#messages.push(message);
    else waiter(message);
  }

  /** The next message, or undefined once the inbox is closed. */
  async next(): Promise<string | undefined> {
    const queued = this.#messages.shift();
    if (queued !== undefined || this.#closed) return queued;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the inbox and releases every waiter; returns how many were waiting. */
  close(): number {
    this.#closed = true;
    const waiting = this.#waiters.splice(0);
    for (const waiter of waiting) waiter(undefined);
    return waiting.length;
  }
}
