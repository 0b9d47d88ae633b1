/**
 * The blocking pump (lib/pump.ts): where blocking is refused at once, where it works, that it
 * sleeps instead of spinning, that it gives up on waits nothing can settle (and only on those),
 * and that nested blocking calls each get their own value.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { DeadlockError } from '../lib/errors';
import { messages } from '../lib/messages';
import type { CallReport } from './fixtures/report';
import { describeRun, resultsOf, runFixture } from './helpers/child';
import { delay, fromMacrotask, measure, runningReactor, thrownBy } from './helpers/fakes';

/** Runs `liveness.js <scenario>` in a child process and returns its one report. */
async function liveness(scenario: string): Promise<CallReport> {
  const outcome = await runFixture('liveness.js', { args: [scenario], killAfterMs: 10_000 });
  const [report] = resultsOf<CallReport>(outcome);
  expect(report, describeRun(outcome)).to.not.equal(undefined);
  expect(outcome.code, describeRun(outcome)).to.equal(0);
  return report as CallReport;
}

describe('the blocking pump', () => {
  describe('inside a microtask', () => {
    // A call whose body would settle within 20 ms if the loop could be pumped.
    function makeSlow() {
      const { waitFor, logger } = runningReactor();
      const slow = waitFor(1000)(function slow() {
        return delay(20, 'value');
      });
      const what = 'waitFor(1000) function slow()';
      return { slow, what, logger };
    }

    function expectRefusedAtOnce(
      attempt: () => unknown,
      what: string,
    ): { elapsedMs: number; cpuMs: number } {
      const { result: error, elapsedMs, cpuMs } = measure(() => thrownBy(attempt));
      expect(error).to.be.instanceOf(DeadlockError);
      expect((error as DeadlockError).reason).to.equal('in-microtask');
      expect((error as DeadlockError).message).to.equal(messages.inMicrotask(what));
      expect(elapsedMs, 'refusal latency (ms)').to.be.below(50);
      expect(cpuMs, 'CPU used by the refusal (ms)').to.be.below(50);
      return { elapsedMs, cpuMs };
    }

    it('is refused at once inside a .then callback', async () => {
      const { slow, what } = makeSlow();
      await Promise.resolve().then(() => expectRefusedAtOnce(() => slow(), what));
    });

    it("is refused at once in code after an 'await'", async () => {
      const { slow, what } = makeSlow();
      await null;
      expectRefusedAtOnce(() => slow(), what);
    });

    it('is refused at once inside a queueMicrotask callback', async () => {
      const { slow, what } = makeSlow();
      const refused = new Promise<void>((resolve, reject) => {
        queueMicrotask(() => {
          try {
            expectRefusedAtOnce(() => slow(), what);
            resolve();
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      await refused;
    });

    it('is refused at once for EventualResult.wait() too', async () => {
      const { runInReactor } = runningReactor();
      const eventual = runInReactor(function later() {
        return delay(20, 'value');
      });
      const result = eventual();
      await null;
      expectRefusedAtOnce(() => result.wait(1000), 'EventualResult.wait()');
      // The refusal consumed nothing: from synchronous code the same result can still be waited on.
      await delay(30, undefined);
      expect(result.wait(0)).to.equal('value');
    });

    it('is refused at once at the top level of an ES module (child process)', async () => {
      const outcome = await runFixture('esm-top-level.mjs', { killAfterMs: 10_000 });
      const [report] = resultsOf<CallReport>(outcome);
      expect(report, describeRun(outcome)).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'in-microtask',
        message: messages.inMicrotask('waitFor(1000) function topLevel()'),
      });
      expect(report?.elapsedMs, 'refusal latency (ms)').to.be.below(50);
      expect(report?.cpuMs, 'CPU used by the refusal (ms)').to.be.below(50);
      expect(outcome.code, describeRun(outcome)).to.equal(0);
    });
  });

  describe('from callbacks that are not microtasks', () => {
    function makeCall() {
      const { waitFor } = runningReactor();
      return waitFor(2000)(function call(tag: string) {
        return delay(10, `value:${tag}`);
      });
    }

    it('works inside a process.nextTick callback', (done) => {
      const call = makeCall();
      setImmediate(() => {
        process.nextTick(() => {
          try {
            expect(call('tick')).to.equal('value:tick');
            done();
          } catch (error) {
            done(error);
          }
        });
      });
    });

    it('works inside a timer callback', (done) => {
      const call = makeCall();
      setTimeout(() => {
        try {
          expect(call('timer')).to.equal('value:timer');
          done();
        } catch (error) {
          done(error);
        }
      }, 1);
    });

    it('inside a timer callback, still sees timers created earlier fire on time', (done) => {
      const { waitFor } = runningReactor();
      let release: (value: string) => void = () => undefined;
      const gate = new Promise<string>((resolve) => (release = resolve));
      const blockOnGate = waitFor(3000)(function blockOnGate() {
        return gate;
      });
      const start = performance.now();
      setTimeout(() => {
        try {
          const { result, elapsedMs } = measure(() => blockOnGate());
          expect(result).to.equal('opened');
          // Released by the 100 ms timer below, not by the 3 s deadline.
          expect(performance.now() - start).to.be.below(1000);
          expect(elapsedMs).to.be.below(1000);
          done();
        } catch (error) {
          done(error);
        }
      }, 10);
      setTimeout(() => release('opened'), 100);
    });

    it(
      'nested in a timer callback while the main code blocks: no spin, earlier timers fire',
      fromMacrotask(() => {
        const { waitFor } = runningReactor();
        let openInner: () => void = () => undefined;
        const innerGate = new Promise<void>((resolve) => (openInner = resolve));
        const inner = waitFor(3000)(function inner() {
          return innerGate;
        });
        const outer = waitFor(3000)(function outer() {
          return delay(300, 'outer value');
        });
        let innerDoneAt = 0;
        const start = performance.now();
        setTimeout(() => {
          inner();
          innerDoneAt = performance.now() - start;
        }, 10);
        setTimeout(() => openInner(), 100);
        const { result, cpuMs, elapsedMs } = measure(() => outer());
        expect(result).to.equal('outer value');
        expect(innerDoneAt).to.be.within(90, 1000);
        expect(elapsedMs).to.be.below(1000);
        // Sleeping, not spinning: a spinning pump would use about as much CPU as elapsed time.
        expect(cpuMs).to.be.below(elapsedMs / 2);
      }),
    );

    it('works inside an I/O callback', (done) => {
      const call = makeCall();
      fs.readFile(__filename, (readError) => {
        try {
          expect(readError).to.equal(null);
          expect(call('io')).to.equal('value:io');
          done();
        } catch (error) {
          done(error);
        }
      });
    });
  });

  describe('waiting', () => {
    it(
      'sleeps: a 1 s wait on a timer uses less than 50 ms of CPU',
      fromMacrotask(() => {
        const { waitFor } = runningReactor();
        const second = waitFor(5000)(function second() {
          return delay(1000, 'done');
        });
        const { result, cpuMs, elapsedMs } = measure(() => second());
        expect(result).to.equal('done');
        expect(elapsedMs).to.be.at.least(999);
        expect(cpuMs, `CPU used by a 1 s wait (ms); took ${elapsedMs} ms`).to.be.below(50);
      }),
    );

    it('fails fast when nothing can ever settle the wait (child process)', async () => {
      const report = await liveness('never');
      expect(report).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'nothing-pending',
        message: messages.deadWait('waitFor(5000) function liveness()'),
      });
      expect(report.elapsedMs, 'time to give up (ms), limit was 5000').to.be.below(100);
      expect(report.cpuMs).to.be.below(100);
    });

    it("fails as 'nothing-pending' when only an unref'd timer would settle it (documented)", async () => {
      const report = await liveness('unref-timer');
      expect(report).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'nothing-pending',
      });
      expect(report.elapsedMs).to.be.below(100);
    });

    const alive: [string, string, unknown][] = [
      ['a ref’d timer', 'timer', 'timer'],
      ['sockets (net server and client on 127.0.0.1)', 'socket', 'socket:50'],
      ['an http server and request', 'http', 'hello'],
      ['a child process', 'child', 'child:7'],
      ['a worker thread message', 'worker', 'from worker'],
      ['fs.promises work', 'fs-promises', 'fs-promises:true'],
      ['callback fs work', 'fs-callback', 'fs-callback:true'],
      ['a dns lookup', 'dns', 'dns:string'],
    ];
    for (const [what, scenario, value] of alive) {
      it(`is never failed as dead while ${what} keeps it alive (child process)`, async () => {
        const report = await liveness(scenario);
        expect(report, JSON.stringify(report)).to.deep.include({ outcome: 'value', value });
      });
    }
  });

  describe('nested blocking', () => {
    it(
      'gives an inner call made from a callback its own value, and the outer one its own (LIFO)',
      fromMacrotask(() => {
        const { waitFor } = runningReactor();
        const start = performance.now();
        const events: string[] = [];
        let innerValue: unknown;
        let innerReturnedAt = 0;
        const outer = waitFor(2000)(function outer() {
          return delay(50, 'outer value').then((value) => {
            events.push('outer settled');
            return value;
          });
        });
        const inner = waitFor(2000)(function inner() {
          return delay(150, 'inner value');
        });
        // Fires during the outer pump, and blocks again from there.
        setTimeout(() => {
          events.push('inner called');
          innerValue = inner();
          innerReturnedAt = performance.now() - start;
          events.push('inner returned');
        }, 10);
        const outerValue = outer();
        const outerReturnedAt = performance.now() - start;
        events.push('outer returned');
        expect(innerValue).to.equal('inner value');
        expect(outerValue).to.equal('outer value');
        // LIFO: the outer result was ready at ~50 ms, but the outer call can only return
        // after the inner call it is nested under.
        expect(events).to.deep.equal([
          'inner called',
          'outer settled',
          'inner returned',
          'outer returned',
        ]);
        expect(outerReturnedAt).to.be.at.least(innerReturnedAt);
      }),
    );
  });
});
