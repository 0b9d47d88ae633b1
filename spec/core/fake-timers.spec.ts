/**
 * sinon's fake timers inside the real mocha run. A test that calls `sinon.useFakeTimers()` fakes
 * setTimeout, setImmediate, Date and performance.now for everything, the library included; the
 * library's own deadlines must still be kept in real time:
 * - a `@waitFor(300)` call whose body awaits real work (fs, a real setImmediate) completes;
 * - one whose body waits on a faked setTimeout ends with TimeoutError (or DeadlockError) within
 *   about its 300 ms of real time, not never;
 * - a reactor-thread call with `timeoutMs: 300` whose body takes 2 s ends with TimeoutError
 *   after about 300 ms of real time.
 * Real time is measured with clocks captured at load, before any faking. A blocked in-thread
 * call is released by a real timer after GUARD_MS (it stops the call's reactor), and every spec
 * has a mocha timeout of a few seconds, so that a hang fails fast instead of hanging the suite.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as timers from 'node:timers';
import * as sinon from 'sinon';
import { DeadlockError, TimeoutError } from '../../lib/errors';
import { ReactorThread, type Blocking } from '../../lib';
import { inMacrotask } from '../helpers/fakes';
import { ownReactor, type OwnReactor } from '../helpers/own-reactor';
import { cpuNow, LOOP_CLOCK_SLACK_MS, promptBound, schedulingNoise } from '../helpers/timing';
import type { EchoService } from '../thread/fixtures/echo-service';
import type * as EchoModule from '../thread/fixtures/echo-service';
import { fixture } from '../thread/helpers';

// Real clocks and timers, captured before any test fakes them (sinon fakes the globals and the
// node:timers module alike).
const realNow = performance.now.bind(performance);
const realSetTimeout = timers.setTimeout;
const realClearTimeout = timers.clearTimeout;
const realSetImmediate = timers.setImmediate;

const LIMIT_MS = 300;
/** A blocked in-thread call still blocked after this long (real time) is released by force. */
const GUARD_MS = 3_000;

/** What a blocking call ended with, and after how much real time. */
interface Ended {
  readonly outcome: 'value' | 'error';
  readonly value?: unknown;
  readonly error?: unknown;
  readonly ms: number;
  /** CPU time of the calling thread meanwhile (timing.ts). */
  readonly cpuMs: number;
}

function endOf(call: () => unknown): Ended {
  const start = realNow();
  const cpu = cpuNow();
  const took = () => ({ ms: realNow() - start, cpuMs: cpuNow() - cpu });
  try {
    const value = call();
    return { outcome: 'value', value, ...took() };
  } catch (error) {
    return { outcome: 'error', error, ...took() };
  }
}

function describeEnd(ended: Ended, extra = ''): string {
  const what =
    ended.outcome === 'value'
      ? `returned ${JSON.stringify(ended.value)}`
      : `threw ${(ended.error as Error)?.name}: ${(ended.error as Error)?.message}`;
  return (
    `${what} after ${ended.ms.toFixed(0)} ms of real time ` +
    `(${ended.cpuMs.toFixed(0)} ms of CPU)${extra}`
  );
}

/** Bound on the real time a call limited to LIMIT_MS may take, given the machine's noise. */
function limitBound(noiseMs: number): number {
  // Without real-time deadlines the call ends only at GUARD_MS (or when its 2 s body does).
  return LIMIT_MS + promptBound(noiseMs, { floorMs: 200, capMs: 1_000 });
}

function expectTimedOut(
  ended: Ended,
  noiseMs: number,
  kinds: readonly (new (...args: never[]) => Error)[],
): void {
  const run = describeEnd(ended, `, timer noise ${noiseMs.toFixed(1)} ms`);
  expect(ended.outcome, run).to.equal('error');
  const expected = `expected ${kinds.map((kind) => kind.name).join(' or ')}`;
  expect(
    kinds.some((kind) => ended.error instanceof kind),
    `${run}; ${expected}`,
  ).to.equal(true);
  if (ended.error instanceof TimeoutError) {
    expect(ended.ms, run).to.be.at.least(LIMIT_MS - LOOP_CLOCK_SLACK_MS);
  }
  expect(ended.ms, run).to.be.below(limitBound(noiseMs));
}

describe('sinon fake timers in a real run', () => {
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  describe('in-thread @waitFor(300)', () => {
    let r: OwnReactor;
    let guard: NodeJS.Timeout | undefined;

    function makeService(waitFor: OwnReactor['waitFor']) {
      class Service {
        @waitFor(LIMIT_MS)
        async readFile(): Promise<number> {
          const text = await fs.promises.readFile(__filename, 'utf8');
          return text.length;
        }

        @waitFor(LIMIT_MS)
        async realImmediate(): Promise<string> {
          await new Promise((resolve) => realSetImmediate(resolve));
          return 'after a real setImmediate';
        }

        @waitFor(LIMIT_MS)
        async fakedTimer(): Promise<string> {
          await new Promise((resolve) => setTimeout(resolve, 10_000));
          return 'the faked timer fired';
        }
      }
      return new Service();
    }

    /** Calls `call` from a macrotask with the clock faked; a real timer releases it by force. */
    async function underFakeTimers(call: () => unknown): Promise<Ended> {
      clock = sinon.useFakeTimers();
      guard = realSetTimeout(() => void r.controller.stop(), GUARD_MS);
      try {
        return await inMacrotask(() => endOf(call));
      } finally {
        realClearTimeout(guard);
      }
    }

    beforeEach(() => {
      r = ownReactor();
    });

    afterEach(() => {
      clock?.restore();
      clock = undefined;
      // Not awaited: a stop() forced by the guard under fake timers waits on a faked
      // setImmediate, and never ends.
      void r.controller.stop();
    });

    it('completes a call whose body awaits a real fs.promises.readFile', async function () {
      this.timeout(3 * GUARD_MS);
      const service = makeService(r.waitFor);
      const ended = await underFakeTimers(() => service.readFile());
      expect(ended.outcome, describeEnd(ended)).to.equal('value');
      expect(ended.value).to.equal(fs.readFileSync(__filename, 'utf8').length);
    });

    it('completes a call whose body awaits a real setImmediate (node:timers, captured)', async function () {
      this.timeout(3 * GUARD_MS);
      const service = makeService(r.waitFor);
      const ended = await underFakeTimers(() => service.realImmediate());
      expect(ended, describeEnd(ended)).to.deep.include({
        outcome: 'value',
        value: 'after a real setImmediate',
      });
    });

    it('ends a call waiting on a faked setTimeout within about its 300 ms of real time', async function () {
      this.timeout(3 * GUARD_MS);
      const noise = await schedulingNoise();
      const service = makeService(r.waitFor);
      const ended = await underFakeTimers(() => service.fakedTimer());
      expectTimedOut(ended, noise, [TimeoutError, DeadlockError]);
    });
  });

  describe('@runInReactor bodies', () => {
    it('start under fake timers and after clock.restore() (sinon fakes queueMicrotask)', async function () {
      this.timeout(3 * GUARD_MS);
      // Eventual bodies start from a microtask: from sinon's faked queueMicrotask they never
      // started, and the queue stayed marked as scheduled after restore(): every later eventual
      // call timed out.
      const r = ownReactor();
      try {
        const answer = r.runInReactor(() => 42);
        clock = sinon.useFakeTimers();
        const under = await inMacrotask(() => endOf(() => answer().wait(LIMIT_MS)));
        clock.restore();
        clock = undefined;
        const after = await inMacrotask(() => endOf(() => answer().wait(LIMIT_MS)));
        expect(under, describeEnd(under)).to.deep.include({ outcome: 'value', value: 42 });
        expect(after, describeEnd(after)).to.deep.include({ outcome: 'value', value: 42 });
      } finally {
        void r.controller.stop();
      }
    });
  });

  describe('reactor-thread call with timeoutMs: 300', () => {
    let thread: ReactorThread;
    let echo: Blocking<EchoService>;

    before(() => {
      thread = new ReactorThread({ name: 'spec-fake-timers' });
      echo = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', [], { timeoutMs: LIMIT_MS });
    });

    after(() => thread.stop());

    it('ends a call whose body takes 2 s with TimeoutError after about 300 ms of real time', async function () {
      // The body's own 2 s (real timers in the reactor thread) bound the call even without a
      // real-time deadline on this side.
      this.timeout(5_000);
      const noise = await schedulingNoise();
      clock = sinon.useFakeTimers();
      const ended = endOf(() => echo.sleep(2_000));
      expectTimedOut(ended, noise, [TimeoutError]);
    });
  });
});
