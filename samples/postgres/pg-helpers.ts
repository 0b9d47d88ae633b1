/**
 * Two helpers for node-postgres pools, plain async code (testable alone with `await`):
 *
 * - {@link cancellableQuery}: a query that really stops when its `AbortSignal` aborts.
 *   node-postgres has no signal option, so on abort the statement is cancelled on the server
 *   with `pg_cancel_backend(pid)`, sent over another connection of the same pool; the query then
 *   fails with node-postgres's own `DatabaseError` (code 57014, `canceling statement due to user
 *   request`). Reactor-bound code passes `currentSignal()`.
 * - {@link endPool}: `pool.end()` that waits until the connections have really closed.
 */
import type { Pool, QueryResult, QueryResultRow } from 'pg';

/** SQLSTATE of a statement cancelled on request (`query_canceled`). */
export const QUERY_CANCELED = '57014';

/**
 * Runs `text` with `values` on a connection of `pool`, cancelling it on the server when `signal`
 * aborts. The cancel needs a second connection: give the pool `max` ≥ 2. Rejects with the abort
 * reason when `signal` has aborted before the statement was sent.
 */
export async function cancellableQuery<R extends QueryResultRow>(
  pool: Pool,
  text: string,
  values: readonly unknown[],
  signal: AbortSignal,
): Promise<QueryResult<R>> {
  signal.throwIfAborted();
  const client = await pool.connect();
  let cancelling: Promise<unknown> | undefined;
  try {
    const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = backend.rows[0]?.pid;
    if (pid === undefined) throw new Error('pg_backend_pid() returned no row');
    signal.throwIfAborted();
    const cancel = (): void => {
      // A cancel that reaches the backend once it is idle again is ignored by the server.
      cancelling = pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await client.query<R>(text, [...values]);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  } finally {
    // Not back in the pool before the cancel has landed: it must never hit the next user's query.
    await cancelling;
    client.release();
  }
}

/**
 * `pool.end()`, resolved only once every connection has really closed. pg-pool resolves `end()`
 * as soon as it has asked its connections to close, before their sockets have: a server stopped
 * right then ends those sessions itself, and the pool emits `'error'` (57P01, `terminating
 * connection due to administrator command`) for a connection that was closing anyway.
 */
export async function endPool(pool: Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open === 0) resolve();
    });
  });
  await pool.end();
  await closed;
}
