/**
 * A real database through both reactors: one private PostgreSQL server for the file
 * (spec/helpers/postgres.ts), and the same service (fixtures/pg-service.ts, a class owning a
 * node-postgres pool) behind an in-thread facade and hosted in a reactor thread.
 *
 * Each side checks: rows come back; the server's error comes back as pg's DatabaseError with its
 * SQLSTATE code; a `pg_sleep(5)` under a 200 ms timeout throws TimeoutError, is cancelled on the
 * server through `currentSignal()` (gone from pg_stat_activity long before its 5 s), ended with
 * 57014 (query_canceled), and nothing is reported to the logger (the body took its signal).
 */
import { expect } from 'chai';
import { DatabaseError, Pool } from 'pg';
import {
  ReactorThread,
  TimeoutError,
  reactor,
  registerErrorClass,
  stderrLogger,
  type Hosted,
} from '../../lib';
import { createFacadeFactory } from '../../lib/facade/facade';
import { QUERY_CANCELED, endPool } from '../../samples/postgres/pg-helpers';
import { FakeLogger, inMacrotask, thrownBy, turns } from '../helpers/fakes';
import { ownReactor } from '../helpers/own-reactor';
import {
  PostgresNotInstalledError,
  requirePostgresBinaries,
  usePrivateServer,
} from '../helpers/postgres';
import { promptBound, schedulingNoise } from '../helpers/timing';
import * as PgModule from './fixtures/pg-service';
import { PgService, type SleepOutcome } from './fixtures/pg-service';

registerErrorClass(DatabaseError);

const SLEEP_SECONDS = 5;
const TIMEOUT_MS = 200;
const SLEEP_SQL = 'SELECT pg_sleep($1)';

/** A session as either facade gives it: a `Session` wrapped in-thread, remote in a thread. */
interface BlockingSession {
  query(sql: string, values?: unknown[]): { rows: unknown[]; rowCount: number | null };
  release(): void;
}

/** What a spec needs from either facade. */
interface Database {
  numbers(count: number): PgModule.NumberRow[];
  missingTable(): number;
  sleep(seconds: number): void;
  lastSleep(): SleepOutcome;
  session(): BlockingSession;
}

/** Connections the server has for this application_name, as `observer` sees them. */
async function connectionsOf(observer: Pool, name: string): Promise<number> {
  const result = await observer.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1',
    [name],
  );
  return result.rows[0]?.count ?? -1;
}

/** Committed rows of `tx_items` with this label, as `observer` sees them. */
async function committed(observer: Pool, label: string): Promise<number> {
  const result = await observer.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM tx_items WHERE label = $1',
    [label],
  );
  return result.rows[0]?.count ?? -1;
}

/** pg_sleep statements running on the server now, as seen by `observer`. */
async function sleepsRunning(observer: Pool): Promise<number> {
  const result = await observer.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM pg_stat_activity WHERE state = 'active' AND query = $1",
    [SLEEP_SQL],
  );
  return result.rows[0]?.count ?? -1;
}

/**
 * Polls until no pg_sleep runs; resolves with how long that took (ms), or fails past `boundMs`.
 * The guarded bug (a query left running) would keep it there for its whole 5 s.
 */
async function goneWithin(observer: Pool, boundMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const running = await sleepsRunning(observer);
    const elapsed = performance.now() - started;
    if (running === 0) return elapsed;
    if (elapsed > boundMs) {
      expect.fail(
        `${running} pg_sleep statement(s) still running ${Math.round(elapsed)} ms after the ` +
          `caller's TimeoutError (bound ${boundMs} ms): not cancelled on the server`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PostgreSQL harness', () => {
  it('says which programs are missing and how to install them', () => {
    expect(() => requirePostgresBinaries(['/nonexistent']))
      .to.throw(PostgresNotInstalledError, /initdb, pg_ctl, postgres .*apt-get install postgresql/)
      .with.property('searched')
      .that.deep.equals(['/nonexistent']);
  });
});

describe('PostgreSQL through crochet (one private server)', function () {
  this.slow(2_000);
  const database = usePrivateServer();
  let observer: Pool;
  let boundMs: number;

  before(async () => {
    observer = new Pool({ connectionString: database.server().connectionString, max: 1 });
    observer.on('error', (error) => expect.fail(`observer connection failed: ${error.message}`));
    database.beforeStop(() => endPool(observer));
    await observer.query('CREATE TABLE tx_items (label text)');
    await observer.query('CREATE TABLE shutdown_log (name text)');
    // Well below the 5 s a query nobody cancelled would keep running.
    boundMs = promptBound(await schedulingNoise(), { floorMs: 1_500, factor: 20, capMs: 3_500 });
  });

  /** The checks both reactors must pass, on a facade `db` whose logger records in `reports`. */
  function behaviour(
    db: () => Database,
    reports: () => readonly unknown[],
    block: Blocker,
    label: string,
  ): void {
    it('runs a transaction through a session, committed only at COMMIT', async () => {
      const session = await block(() => db().session());
      await block(() => {
        session.query('BEGIN');
        session.query('INSERT INTO tx_items (label) VALUES ($1)', [label]);
      });
      expect(await committed(observer, label)).to.equal(0);
      await block(() => {
        session.query('COMMIT');
        session.release();
      });
      expect(await committed(observer, label)).to.equal(1);
    });

    it('returns the rows of a query', async () => {
      const rows = await block(() => db().numbers(3));
      expect(rows).to.deep.equal([
        { n: 1, label: 'item 1' },
        { n: 2, label: 'item 2' },
        { n: 3, label: 'item 3' },
      ]);
    });

    it("gives the server's error as pg's DatabaseError with its SQLSTATE code", async () => {
      const error = await block(() => thrownBy(() => db().missingTable()));
      expect(error).to.be.an.instanceOf(DatabaseError);
      expect(error).to.include({ code: '42P01' });
      expect((error as Error).message).to.match(/relation "no_such_table" does not exist/);
    });

    it('a timeout cancels the query on the server; nothing is reported', async () => {
      const error = await block(() => thrownBy(() => db().sleep(SLEEP_SECONDS)));
      expect(error).to.be.an.instanceOf(TimeoutError);
      await goneWithin(observer, boundMs);
      const outcome = await block(() => db().lastSleep());
      expect(outcome).to.deep.equal({ kind: 'failed', name: 'error', code: QUERY_CANCELED });
      // A late failure would be reported when the body failed; reports from a reactor thread
      // travel as messages to this thread's loop: let it turn.
      await turns(5);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reports()).to.deep.equal([]);
    });
  }

  describe('in-thread: a facade over the service', () => {
    const own = ownReactor();
    const facade = createFacadeFactory(own.controller);
    class BlockingSession extends facade(PgModule.Session, { timeoutMs: 5_000 }) {}
    class BlockingPg extends facade(PgService, {
      timeoutMs: 5_000,
      timeouts: { sleep: TIMEOUT_MS },
      wrap: { session: BlockingSession },
    }) {}
    let db: BlockingPg;

    before(() => {
      const service = new PgService(database.server().connectionString);
      db = new BlockingPg(service);
      database.beforeStop(async () => {
        await own.controller.stop();
        await service.close();
      });
    });

    // In-thread blocking needs a macrotask (mocha's callbacks may run in microtasks).
    behaviour(
      () => db,
      () => own.reports,
      (body) => inMacrotask(body),
      'in-thread',
    );
  });

  describe('reactor thread: the service hosted with its own pool', () => {
    const thread = new ReactorThread({ name: 'spec-pg' });
    const logger = new FakeLogger();
    let db: Hosted<PgService, never, { connect: true; session: true }>;

    before(() => {
      // Reactor threads report through the global reactor's logger.
      reactor.setLogger(logger);
      db = thread
        .load<typeof PgModule>(require.resolve('./fixtures/pg-service'))
        .create('PgService', [database.server().connectionString], {
          timeoutMs: 5_000,
          timeouts: { sleep: TIMEOUT_MS },
          remote: { connect: true, session: true },
          dispose: 'close',
        });
      database.beforeStop(async () => {
        await thread.stop();
        reactor.setLogger(stderrLogger);
      });
    });

    // Reactor-thread calls block on Atomics.wait: any context will do.
    behaviour(
      () => db,
      () => logger.entries,
      async (body) => body(),
      'reactor thread',
    );

    it("pg's own Result crosses by value: rows, rowCount, command and fields, no methods", () => {
      const result = db.result(2);
      expect(result.rows).to.deep.equal([
        { n: 1, label: 'item 1' },
        { n: 2, label: 'item 2' },
      ]);
      expect(result).to.include({ rowCount: 2, command: 'SELECT' });
      expect(result.fields.map((field) => field.name)).to.deep.equal(['n', 'label']);
      expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
    });

    it("pg's PoolClient declared remote runs a transaction where it lives", async () => {
      // PoolClient.query has seven overloads and a facade's type follows the last one (README).
      const client = db.connect() as unknown as BlockingSession;
      client.query('BEGIN');
      client.query('INSERT INTO tx_items (label) VALUES ($1)', ['raw client']);
      expect(await committed(observer, 'raw client')).to.equal(0);
      client.query('COMMIT');
      client.release();
      expect(await committed(observer, 'raw client')).to.equal(1);
    });
  });

  describe('in-thread: shutdown', () => {
    it("a 'before' hook still uses the pool, then ends it", async () => {
      const own = ownReactor();
      const facade = createFacadeFactory(own.controller);
      const name = `crochet-hook-${process.pid}`;
      const service = new PgService(database.server().connectionString, 2, name);
      class BlockingPg extends facade(PgService, { timeoutMs: 5_000 }) {}
      const db = new BlockingPg(service);
      own.controller.addShutdownHook('before', () => service.close(), { name: 'pool' });
      expect(await inMacrotask(() => db.numbers(1))).to.have.length(1);
      await own.controller.stop();
      const logged = await observer.query('SELECT name FROM shutdown_log WHERE name = $1', [name]);
      expect(logged.rowCount, 'close() ran with its pool still usable').to.equal(1);
      const left = await connectionsOf(observer, name);
      expect(left, 'connections left open').to.equal(0);
      expect(own.reports).to.deep.equal([]);
    });
  });

  describe('reactor thread: shutdown', () => {
    it('disposes the service in its thread: it still uses its pool, then ends it', async () => {
      const thread = new ReactorThread({ name: 'spec-pg-dispose' });
      const name = `crochet-dispose-${process.pid}`;
      const db = thread
        .load<typeof PgModule>(require.resolve('./fixtures/pg-service'))
        .create('PgService', [database.server().connectionString, 2, name], {
          timeoutMs: 5_000,
          dispose: 'close',
        });
      expect(db.numbers(1)).to.have.length(1);
      const connected = await connectionsOf(observer, name);
      expect(connected).to.be.at.least(1);
      await thread.stop();
      const logged = await observer.query('SELECT name FROM shutdown_log WHERE name = $1', [name]);
      expect(logged.rowCount, 'close() ran in the reactor thread with its pool').to.equal(1);
      const left = await connectionsOf(observer, name);
      expect(left, 'connections left open').to.equal(0);
    });
  });
});

type Blocker = <T>(body: () => T) => Promise<T>;
