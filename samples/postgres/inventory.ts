/**
 * The async layer: a small inventory kept in PostgreSQL through a node-postgres pool. Plain
 * async code, testable alone with `await`; `main.ts` reaches it through a generated facade.
 */
import { currentSignal } from 'crochet';
import { Pool } from 'pg';
import { cancellableQuery, endPool } from './pg-helpers';

export class Inventory {
  readonly #pool: Pool;

  constructor(connectionString: string) {
    this.#pool = new Pool({ connectionString, max: 4 });
    // An idle connection the server ends (a restart, a shutdown) must not crash the process.
    this.#pool.on('error', (error) => console.error('inventory: idle connection failed:', error));
  }

  async setUp(): Promise<void> {
    await this.#pool.query(
      'CREATE TABLE items (name text PRIMARY KEY, quantity integer NOT NULL CHECK (quantity >= 0))',
    );
    await this.#pool.query(
      "INSERT INTO items (name, quantity) VALUES ('apples', 12), ('pears', 7), ('plums', 0)",
    );
  }

  async quantity(name: string): Promise<number | undefined> {
    const result = await this.#pool.query<{ quantity: number }>(
      'SELECT quantity FROM items WHERE name = $1',
      [name],
    );
    return result.rows[0]?.quantity;
  }

  /** Adds a new item; an existing name fails with the server's unique violation (23505). */
  async add(name: string, quantity: number): Promise<void> {
    await this.#pool.query('INSERT INTO items (name, quantity) VALUES ($1, $2)', [name, quantity]);
  }

  /**
   * A report that takes `seconds` on the server (pg_sleep stands for a heavy query). Its call's
   * signal cancels it on the server: a caller that gives up leaves nothing running.
   */
  async slowReport(seconds: number): Promise<number> {
    const result = await cancellableQuery<{ total: number }>(
      this.#pool,
      'SELECT pg_sleep($1), (SELECT sum(quantity)::int FROM items) AS total',
      [seconds],
      currentSignal(),
    );
    return result.rows[0]?.total ?? 0;
  }

  /** How many statements calling pg_sleep run on the server now (this one excluded). */
  async sleepingQueries(): Promise<number> {
    const result = await this.#pool.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM pg_stat_activity WHERE state = 'active' " +
        "AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
    );
    return result.rows[0]?.count ?? 0;
  }

  async close(): Promise<void> {
    await endPool(this.#pool);
  }
}
