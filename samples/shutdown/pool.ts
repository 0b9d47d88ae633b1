/**
 * A connection pool in the style of a thread pool: `close()` waits until every connection that
 * was handed out has been given back. If a holder of a connection is blocked forever, `close()`
 * never finishes: the deadlock the seed warns about.
 */
export interface Connection {
  readonly id: number;
}

export class ConnectionPool {
  #lastId = 0;
  readonly #inUse = new Set<Connection>();
  #allReturned: (() => void) | undefined;

  acquire(): Connection {
    this.#lastId += 1;
    const connection = { id: this.#lastId };
    this.#inUse.add(connection);
    return connection;
  }

  release(connection: Connection): void {
    this.#inUse.delete(connection);
    if (this.#inUse.size === 0) this.#allReturned?.();
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** Resolves once every connection has been released. */
  async close(): Promise<void> {
    if (this.#inUse.size === 0) return;
    await new Promise<void>((resolve) => {
      this.#allReturned = resolve;
    });
  }
}
