/**
 * A timeout closes the request on the server side: a body that passes its `currentSignal()` to
 * an HTTP client (Node's global `fetch`, undici's `request` and `fetch`) has its request really
 * closed when the caller times out or cancels, as a real `node:http` server sees it (the
 * response closes before the server ended it: `res.writableEnded === false`), and nothing is
 * reported (the body took its signal: README, "What a timeout or cancel() reports"). The control:
 * a body that never takes its signal leaves the request open until the server answers, and its
 * late failure is reported, so the spec can tell the two apart.
 *
 * Where the server runs:
 * - in-thread reactor: on the caller's own event loop, as in the README's first example. The
 *   blocked caller pumps that loop, so the server accepts, holds and sees the close while the
 *   caller is blocked; every record is taken when it happens. One case puts the server in a
 *   worker instead: the caller goes on with synchronous work after its TimeoutError (its loop
 *   stands still), and the server still sees the request closed at once: the client closes
 *   the connection while the reactor handles the timeout, before the caller is back.
 * - reactor thread: in a worker thread of its own. A server on the main thread could not run
 *   while the caller sleeps in Atomics.wait: the kernel would queue the connection and the
 *   server would see the arrival and the close together, after the call returned, which says
 *   nothing about when the request was closed. In its own worker it records both as they
 *   happen (wall-clock times, comparable across threads), and the records reach the spec once
 *   the caller is back.
 *
 * The server holds each answer for 5 s: a request that is not closed by the abort stays open
 * far beyond every bound here.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import {
  CancelledError,
  ReactorThread,
  TimeoutError,
  blockingBody,
  reactor,
  stderrLogger,
  type Blocking,
} from '../../lib';
import { createFacadeFactory, messages } from '../../lib/testing';
import { FakeLogger, delay, inMacrotask, turns } from '../helpers/fakes';
import { ownReactor, type OwnReactor } from '../helpers/own-reactor';
import { LOOP_CLOCK_SLACK_MS, promptBound, schedulingNoise } from '../helpers/timing';
import {
  HTTP_CLIENTS,
  HttpService,
  outcomeOf,
  type BodyOutcome,
  type HttpClient,
} from './fixtures/http-service';
import type * as HttpModule from './fixtures/http-service';
import { HeldServer, wallNow, type Exchange, type HeldRequests } from './held-server';

const TIMEOUT_MS = 150;
/** How long the server holds an answer in the main cases: far beyond every bound. */
const HOLD_MS = 5_000;
/** When the server answers the control's request (with a 503, which the body turns into an error). */
const CONTROL_ANSWER_MS = 300;

/** How long a caller goes on with synchronous work after its TimeoutError, in one case. */
const BUSY_MS = 200;

let nextId = 0;
/** A path of its own for each request (exchanges and body outcomes are keyed by it). */
const uniquePath = (what: string): string => `/${what}-${(nextId += 1)}`;

/** How long a step that should be prompt may take now. The bug it guards costs HOLD_MS. */
const boundFor = (noiseMs: number): number =>
  promptBound(noiseMs, { floorMs: 100, factor: 10, capMs: 1_000 });

interface TimedCall {
  readonly error: unknown;
  readonly startedAt: number;
  /** When the caller got its error back. */
  readonly endedAt: number;
}

/** Runs a call that must throw, from a macrotask (where it may block), timing it. */
function timedFailure(call: () => unknown): Promise<TimedCall> {
  return inMacrotask(() => {
    const startedAt = wallNow();
    try {
      call();
    } catch (error) {
      return { error, startedAt, endedAt: wallNow() };
    }
    throw new Error('expected the call to fail, but it returned');
  });
}

/** Polls `read` until it gives a body's outcome, for at most `withinMs`. */
async function outcomeWithin(
  read: () => BodyOutcome | undefined,
  withinMs: number,
): Promise<BodyOutcome | undefined> {
  const giveUpAt = wallNow() + withinMs;
  let outcome = read();
  while (outcome === undefined && wallNow() < giveUpAt) {
    await delay(5, undefined);
    outcome = read();
  }
  return outcome;
}

/** What one reactor gives the shared checks. */
interface Side {
  readonly server: () => HeldRequests;
  readonly outcomeOf: (pathname: string) => BodyOutcome | undefined;
  readonly reports: () => FakeLogger;
}

const describeExchange = (exchange: Exchange | undefined, since: number): string =>
  exchange === undefined
    ? 'the request never reached the server'
    : JSON.stringify(
        Object.fromEntries(
          Object.entries(exchange).map(([key, value]) => [
            key,
            typeof value === 'number' ? `${(value - since).toFixed(1)} ms` : value,
          ]),
        ),
      );

/**
 * The caller's side ended with `expected` (a TimeoutError near TIMEOUT_MS, or a CancelledError
 * right after `abortedAt`); the server saw the request in flight, then closed by the client
 * (never answered) soon after; the body failed (its client rejected); nothing was reported.
 */
/**
 * One timeout case: `get(path)` runs a request the server holds for HOLD_MS under a caller's
 * TIMEOUT_MS; the caller must get TimeoutError and the server see the request closed in time.
 */
async function expectTimeoutCloses(
  side: Side,
  label: string,
  get: (path: string) => unknown,
): Promise<void> {
  const noise = await schedulingNoise(2, 5);
  const pathname = uniquePath(label);
  const call = await timedFailure(() => get(`${pathname}?answerMs=${HOLD_MS}`));
  await expectClosedByAbort(side, pathname, call, TimeoutError, call.startedAt + TIMEOUT_MS, noise);
}

async function expectClosedByAbort(
  side: Side,
  pathname: string,
  call: TimedCall,
  expected: typeof TimeoutError | typeof CancelledError,
  abortedAt: number,
  noiseMs: number,
): Promise<void> {
  const bound = boundFor(noiseMs);
  const context = `bound ${bound.toFixed(0)} ms (timer noise ${noiseMs.toFixed(1)} ms)`;
  expect(call.error).to.be.instanceOf(expected);
  if (expected === TimeoutError) {
    const elapsed = call.endedAt - call.startedAt;
    expect(elapsed, `time until TimeoutError (ms), ${context}`)
      .to.be.at.least(TIMEOUT_MS - LOOP_CLOCK_SLACK_MS)
      .and.below(TIMEOUT_MS + bound);
  }

  const exchange = await side.server().log.closed(pathname, bound);
  const seen = `server side, times from the call: ${describeExchange(exchange, call.startedAt)}; ${context}`;
  expect(exchange?.closedAt, `closed within the bound: ${seen}`).to.not.equal(undefined);
  expect(exchange?.closedByClient, `closed by the client: ${seen}`).to.equal(true);
  expect(exchange?.answeredAt, `never answered: ${seen}`).to.equal(undefined);
  expect(exchange?.socketClosedAt, `connection closed: ${seen}`).to.not.equal(undefined);
  const { arrivedAt = Number.NaN, closedAt = Number.NaN } = exchange ?? {};
  // In flight when the abort came, and closed because of it: not before.
  expect(arrivedAt, `arrived before the abort: ${seen}`).to.be.below(abortedAt);
  expect(closedAt, `closed after the abort: ${seen}`).to.be.at.least(
    abortedAt - LOOP_CLOCK_SLACK_MS,
  );
  // Soon after the caller got its error (in a reactor thread it may even come first).
  expect(closedAt - call.endedAt, `close after the caller's error (ms): ${seen}`).to.be.below(
    bound,
  );

  const outcome = await outcomeWithin(() => side.outcomeOf(pathname), bound);
  expect(outcome, `the body's outcome: ${seen}`).to.deep.include({ outcome: 'error' });
  // A report of the body's failure was made, or posted by the reactor thread, before its
  // outcome could be read; a few loop turns deliver it (the control shows that it comes).
  await turns(3);
  const reported = side
    .reports()
    .entries.map(({ message, error }) => `${message} ${String(error)}`);
  expect(reported, 'reported').to.deep.equal([]);
}

/**
 * The control: a body that never takes its signal. The caller still times out, but the server
 * holds the request open until it answers it (a 503 at CONTROL_ANSWER_MS), and the body's
 * failure then is reported as a late failure.
 */
async function expectOpenUntilAnswered(
  side: Side,
  pathname: string,
  call: TimedCall,
  noiseMs: number,
): Promise<void> {
  const bound = boundFor(noiseMs);
  expect(call.error).to.be.instanceOf(TimeoutError);
  const exchange = await side.server().log.closed(pathname, CONTROL_ANSWER_MS + 2_000);
  const seen = `server side, times from the call: ${describeExchange(exchange, call.startedAt)}`;
  expect(exchange?.closedByClient, `closed by the server's answer: ${seen}`).to.equal(false);
  expect(exchange?.socketClosedAt, `connection never closed early: ${seen}`).to.equal(undefined);
  const { arrivedAt = Number.NaN, answeredAt = Number.NaN } = exchange ?? {};
  expect(answeredAt - arrivedAt, `held open until answered (ms): ${seen}`).to.be.at.least(
    CONTROL_ANSWER_MS - LOOP_CLOCK_SLACK_MS,
  );

  const outcome = await outcomeWithin(() => side.outcomeOf(pathname), bound);
  expect(outcome, `the body's outcome: ${seen}`).to.deep.include({
    outcome: 'error',
    message: `HTTP 503 from ${side.server().origin}${pathname}?answerMs=${CONTROL_ANSWER_MS}&status=503`,
  });
  const giveUpAt = wallNow() + bound;
  while (side.reports().entries.length === 0 && wallNow() < giveUpAt) await delay(5, undefined);
  const reports = side.reports().entries;
  expect(reports, 'reported').to.have.length(1);
  // In a reactor thread the message also names the thread, before its colon.
  expect(reports[0]?.message).to.include(messages.lateFailure().replace(/:$/, ''));
  expect((reports[0]?.error as Error | undefined)?.message).to.equal(outcome?.message);
}

describe('a timeout closes the HTTP request on the server side', () => {
  describe('in-thread reactor (the server on the caller’s own event loop)', () => {
    let server: HeldRequests;
    let own: OwnReactor;
    let logger: FakeLogger;
    const side: Side = {
      server: () => server,
      // The bodies ran in this thread: their outcomes are recorded here.
      outcomeOf,
      reports: () => logger,
    };
    const newService = (): HttpService => new HttpService(server.origin);

    before(async () => {
      server = await HeldServer.start();
      own = ownReactor();
      logger = new FakeLogger();
      own.controller.setLogger(logger);
    });

    // Each spec checks its own reports; one spec's must not fail the next.
    afterEach(() => void logger.entries.splice(0));

    after(async () => {
      await own.controller.stop();
      await server.close();
    });

    for (const client of HTTP_CLIENTS) {
      it(`facade(Service, { timeoutMs: ${TIMEOUT_MS} }), ${client}: TimeoutError, request closed server-side, nothing reported`, async () => {
        const Http = createFacadeFactory(own.controller)(HttpService, { timeoutMs: TIMEOUT_MS });
        const http = new Http(newService());
        await expectTimeoutCloses(side, `in-thread-facade-${client}`, (url) =>
          http.get(client, url),
        );
      });
    }

    it(`@waitFor(${TIMEOUT_MS}) method, fetch: TimeoutError, request closed server-side, nothing reported`, async () => {
      const { waitFor } = own;
      class Settings {
        constructor(private readonly service: HttpService) {}
        @waitFor(TIMEOUT_MS)
        load(client: HttpClient, path: string): string {
          return blockingBody(() => this.service.get(client, path));
        }
      }
      const settings = new Settings(newService());
      await expectTimeoutCloses(side, 'in-thread-waitFor-fetch', (url) =>
        settings.load('fetch', url),
      );
    });

    it('the request is closed by the time the caller has its TimeoutError: synchronous work after it does not hold it open', async () => {
      // The server in a worker, so that it sees the close while this thread's loop stands still.
      const remote = await HeldServer.inWorker();
      try {
        const Http = createFacadeFactory(own.controller)(HttpService, { timeoutMs: TIMEOUT_MS });
        const http = new Http(new HttpService(remote.origin));
        const noise = await schedulingNoise(2, 5);
        const pathname = uniquePath('in-thread-busy-caller');
        const call = await inMacrotask((): TimedCall => {
          const startedAt = wallNow();
          try {
            http.get('fetch', `${pathname}?answerMs=${HOLD_MS}`);
          } catch (error) {
            const endedAt = wallNow();
            while (wallNow() < endedAt + BUSY_MS); // synchronous work: the loop does not turn
            return { error, startedAt, endedAt };
          }
          throw new Error('expected the call to fail, but it returned');
        });
        const remoteSide: Side = { ...side, server: () => remote };
        await expectClosedByAbort(
          remoteSide,
          pathname,
          call,
          TimeoutError,
          call.startedAt + TIMEOUT_MS,
          noise,
        );
        // Closed while the caller was still in the call (or as it returned), not when the loop
        // turned again BUSY_MS later.
        const { closedAt = Number.NaN } = remote.log.get(pathname) ?? {};
        const prompt = promptBound(noise, { floorMs: 50, capMs: BUSY_MS / 2 });
        expect(
          closedAt - call.endedAt,
          `close after the caller's TimeoutError (ms), the caller then busy for ${BUSY_MS} ms; bound ${prompt.toFixed(0)} ms`,
        ).to.be.below(prompt);
      } finally {
        await remote.close();
      }
    });

    for (const client of HTTP_CLIENTS) {
      it(`cancel() of an eventual facade method, ${client}: CancelledError, request closed server-side, nothing reported`, async () => {
        const Http = createFacadeFactory(own.controller)(HttpService, {
          timeoutMs: TIMEOUT_MS,
          eventual: ['get'],
        });
        const http = new Http(newService());
        const noise = await schedulingNoise(2, 5);
        const pathname = uniquePath(`in-thread-cancel-${client}`);
        const startedAt = wallNow();
        const result = http.get(client, `${pathname}?answerMs=${HOLD_MS}`);
        expect(await server.log.arrived(pathname, 2_000), 'arrived').to.not.equal(undefined);
        const cancelledAt = wallNow();
        const call = await inMacrotask(() => {
          result.cancel();
          try {
            result.wait(1_000);
          } catch (error) {
            return { error, startedAt, endedAt: wallNow() };
          }
          throw new Error('expected wait() to throw after cancel()');
        });
        await expectClosedByAbort(side, pathname, call, CancelledError, cancelledAt, noise);
      });
    }

    it('control: a body that does not take its signal leaves the request open until the server answers', async () => {
      const Http = createFacadeFactory(own.controller)(HttpService, { timeoutMs: TIMEOUT_MS });
      const http = new Http(newService());
      const noise = await schedulingNoise(2, 5);
      const pathname = uniquePath('in-thread-control');
      const call = await timedFailure(() =>
        http.getIgnoringSignal('fetch', `${pathname}?answerMs=${CONTROL_ANSWER_MS}&status=503`),
      );
      await expectOpenUntilAnswered(side, pathname, call, noise);
    });
  });

  describe('reactor thread (the server in a worker thread of its own)', () => {
    let server: HeldRequests;
    let thread: ReactorThread;
    let http: Blocking<HttpService>;
    let eventual: Blocking<HttpService, 'get'>;
    const logger = new FakeLogger();
    const side: Side = {
      server: () => server,
      // Asked of the reactor thread, where the bodies ran.
      outcomeOf: (pathname) => http.outcomeOf(pathname),
      reports: () => logger,
    };

    before(async () => {
      server = await HeldServer.inWorker();
      // What the reactor thread reports goes to the application's logger: the main reactor's.
      reactor.setLogger(logger);
      thread = new ReactorThread({ name: 'spec-http' });
      const loaded = thread.load<typeof HttpModule>(
        path.join(__dirname, 'fixtures', 'http-service.js'),
      );
      http = loaded.create('HttpService', [server.origin], { timeoutMs: TIMEOUT_MS });
      eventual = loaded.create('HttpService', [server.origin], {
        timeoutMs: TIMEOUT_MS,
        eventual: ['get'],
      });
    });

    // Each spec checks its own reports; one spec's must not fail the next.
    afterEach(() => void logger.entries.splice(0));

    after(async () => {
      await thread.stop();
      reactor.setLogger(stderrLogger);
      await server.close();
    });

    for (const client of HTTP_CLIENTS) {
      it(`create('HttpService', [url], { timeoutMs: ${TIMEOUT_MS} }), ${client}: TimeoutError, request closed server-side, nothing reported`, async () => {
        await expectTimeoutCloses(side, `thread-${client}`, (url) => http.get(client, url));
      });
    }

    for (const client of HTTP_CLIENTS) {
      it(`cancel() of an eventual method, ${client}: CancelledError, request closed server-side, nothing reported`, async () => {
        const noise = await schedulingNoise(2, 5);
        const pathname = uniquePath(`thread-cancel-${client}`);
        const startedAt = wallNow();
        const result = eventual.get(client, `${pathname}?answerMs=${HOLD_MS}`);
        expect(await server.log.arrived(pathname, 2_000), 'arrived').to.not.equal(undefined);
        const cancelledAt = wallNow();
        result.cancel();
        let error: unknown;
        try {
          result.wait(1_000);
        } catch (thrown) {
          error = thrown;
        }
        const call: TimedCall = { error, startedAt, endedAt: wallNow() };
        await expectClosedByAbort(side, pathname, call, CancelledError, cancelledAt, noise);
      });
    }

    it('control: a body that does not take its signal leaves the request open until the server answers', async () => {
      const noise = await schedulingNoise(2, 5);
      const pathname = uniquePath('thread-control');
      const call = await timedFailure(() =>
        http.getIgnoringSignal('fetch', `${pathname}?answerMs=${CONTROL_ANSWER_MS}&status=503`),
      );
      await expectOpenUntilAnswered(side, pathname, call, noise);
    });
  });
});
