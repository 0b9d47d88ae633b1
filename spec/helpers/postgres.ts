/**
 * A private PostgreSQL server for a spec file: the harness of samples/postgres (see
 * private-server.ts there), plus {@link usePrivateServer}, which starts one server for the
 * enclosing `describe` in a `before` hook and stops it in an `after` hook.
 */
import {
  startPrivateServer,
  type PrivateServer,
  type PrivateServerOptions,
} from '../../samples/postgres/private-server';

export * from '../../samples/postgres/private-server';

export interface PrivateServerFixture {
  /** The running server; throws outside the suite's hooks and tests. */
  server(): PrivateServer;
  /**
   * Adds a cleanup that runs in the `after` hook before the server stops (the latest added
   * first), e.g. `pool.end()`: pools must be closed while the server still runs. A failing
   * cleanup fails the hook, after the others and the stop have run.
   */
  beforeStop(cleanup: () => unknown): void;
}

/**
 * Call at the top of a `describe`: one private server for its tests (started in `before`, with
 * a generous hook timeout, since `initdb` takes a few seconds on a loaded machine; stopped in
 * `after`). When the PostgreSQL programs are missing, the `before` hook fails with the
 * harness's message, which says how to install them.
 */
export function usePrivateServer(options: PrivateServerOptions = {}): PrivateServerFixture {
  let running: PrivateServer | undefined;
  const cleanups: (() => unknown)[] = [];
  before(async function () {
    this.timeout(90_000);
    running = await startPrivateServer(options);
  });
  after(async function () {
    this.timeout(60_000);
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    const server = running;
    running = undefined;
    await server?.stop();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'several cleanups failed');
  });
  return {
    server() {
      if (running === undefined) {
        throw new Error('the private PostgreSQL server runs only between before() and after()');
      }
      return running;
    },
    beforeStop(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
