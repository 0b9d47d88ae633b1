/**
 * A real local HTTP server (`node:http` on 127.0.0.1, port 0) that holds its answers, and what it
 * saw of each request on the server side: when it arrived, whether and when the server answered,
 * and when the exchange was closed and by whom (the response's `'close'` before the server ended
 * it: the client went away). For the specs that check that a caller's timeout or `cancel()`
 * really closes the request (spec/integration/http-timeout.spec.ts).
 *
 * A request for `/<any path>?answerMs=N&status=S` is answered with status S (default 200) after
 * N ms (default 5000); a client that closes the request first clears that timer. Exchanges are
 * keyed by path: give every request a path of its own.
 *
 * The server runs either on the calling thread's loop ({@link HeldServer.start}) or in a worker
 * thread of its own ({@link HeldServer.inWorker}), for callers that block their thread's loop.
 * Times are wall-clock milliseconds with sub-millisecond precision ({@link wallNow}), so that
 * the worker's records and the spec's own readings compare.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Wall-clock time in ms, sub-millisecond: comparable between the threads of a process. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** What the server saw of one request (times by {@link wallNow}). */
export interface Exchange {
  /** The request's path, without the query. */
  readonly path: string;
  readonly arrivedAt: number;
  /** When the server wrote its answer; absent while (or because) it held it. */
  readonly answeredAt?: number;
  /** When the response closed: after the answer, or when the client went away first. */
  readonly closedAt?: number;
  /** The response closed before the server ended it (`res.writableEnded === false`). */
  readonly closedByClient?: boolean;
  /** The request's own `'close'`. */
  readonly requestClosedAt?: number;
  /** The connection's `'close'`, when it came before the server answered. */
  readonly socketClosedAt?: number;
}

/** The latest state of each exchange, with ways to wait for one to reach a state. */
export class ExchangeLog {
  readonly #exchanges = new Map<string, Exchange>();
  readonly #listeners = new Set<() => void>();

  update(exchange: Exchange): void {
    this.#exchanges.set(exchange.path, exchange);
    for (const listener of [...this.#listeners]) listener();
  }

  get(path: string): Exchange | undefined {
    return this.#exchanges.get(path);
  }

  /**
   * Resolves with the exchange of `path` as soon as `test` holds for it, else with its state
   * after `withinMs` (undefined if the request never arrived).
   */
  until(
    path: string,
    test: (exchange: Exchange) => boolean,
    withinMs: number,
  ): Promise<Exchange | undefined> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const exchange = this.#exchanges.get(path);
        if (exchange === undefined || !test(exchange)) return false;
        done(exchange);
        return true;
      };
      const done = (exchange: Exchange | undefined): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(exchange);
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => done(this.#exchanges.get(path)), withinMs);
      this.#listeners.add(listener);
      check();
    });
  }

  /** The exchange of `path` once it arrived (see {@link until}). */
  arrived(path: string, withinMs: number): Promise<Exchange | undefined> {
    return this.until(path, () => true, withinMs);
  }

  /**
   * The exchange of `path` once it closed, whoever closed it, and its connection too when the
   * client closed it (see {@link until}).
   */
  closed(path: string, withinMs: number): Promise<Exchange | undefined> {
    return this.until(
      path,
      ({ closedAt, closedByClient, socketClosedAt }) =>
        closedAt !== undefined && (closedByClient !== true || socketClosedAt !== undefined),
      withinMs,
    );
  }
}

/** A running server: where it is, what it saw, how to stop it. */
export interface HeldRequests {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly log: ExchangeLog;
  /** Closes the server and every connection (and ends its worker, if any). */
  close(): Promise<void>;
}

/** What the worker (fixtures/held-server-worker.ts) posts to the thread that started it. */
export type HeldServerMessage =
  | { readonly k: 'listening'; readonly origin: string }
  | { readonly k: 'exchange'; readonly exchange: Exchange };

export const HeldServer = {
  /** Starts a server on the calling thread's event loop; `onUpdate` sees every change. */
  start(onUpdate?: (exchange: Exchange) => void): Promise<HeldRequests> {
    const log = new ExchangeLog();
    const update = (exchange: Exchange): void => {
      log.update(exchange);
      onUpdate?.(exchange);
    };
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://held');
      const answerMs = Number(url.searchParams.get('answerMs') ?? 5_000);
      const status = Number(url.searchParams.get('status') ?? 200);
      let exchange: Exchange = { path: url.pathname, arrivedAt: wallNow() };
      const record = (change: Partial<Exchange>): void => {
        exchange = { ...exchange, ...change };
        update(exchange);
      };
      record({});
      const socket = request.socket;
      const onSocketClose = (): void => record({ socketClosedAt: wallNow() });
      socket.once('close', onSocketClose);
      request.once('close', () => record({ requestClosedAt: wallNow() }));
      const timer = setTimeout(() => {
        // A kept-alive connection outlives an answered request: stop listening to it.
        socket.off('close', onSocketClose);
        record({ answeredAt: wallNow() });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`answer to ${url}`);
      }, answerMs);
      response.once('close', () => {
        clearTimeout(timer);
        record({ closedAt: wallNow(), closedByClient: !response.writableEnded });
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          origin: `http://127.0.0.1:${port}`,
          log,
          close: () =>
            new Promise((closed) => {
              server.close(() => closed());
              server.closeAllConnections();
            }),
        });
      });
    });
  },

  /**
   * Starts a server in a worker thread of its own: it serves, and records when things happen,
   * while the calling thread is blocked. The records reach `log` when the calling thread's loop
   * runs again (their times are those of the events, not of their delivery).
   */
  inWorker(): Promise<HeldRequests> {
    const worker = new Worker(path.join(__dirname, 'fixtures', 'held-server-worker.js'));
    const log = new ExchangeLog();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (message: HeldServerMessage) => {
        if (message.k === 'exchange') log.update(message.exchange);
        else
          resolve({
            origin: message.origin,
            log,
            close: async () => {
              worker.postMessage('close');
              const killer = setTimeout(() => void worker.terminate(), 2_000);
              await exited;
              clearTimeout(killer);
            },
          });
      });
      void exited.then(() => reject(new Error('the held-server worker exited before listening')));
    });
  },
};
