/**
 * The blocking pump (lib/pump.ts): where blocking is refused at once, where it works, that it
 * sleeps instead of spinning, that it gives up on waits nothing can settle (and only on those),
 * and that nested blocking calls each get their own value.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { currentSignal } from '../../lib/core/call-context';
import { DeadlockError } from '../../lib/errors';
import { messages } from '../../lib/messages';
import type { CallReport } from '../fixtures/report';
import { describeRun, resultsOf, runFixture } from '../helpers/child';
import { delay, fromMacrotask, measure, runningReactor, thrownBy } from '../helpers/fakes';
import { LOOP_CLOCK_SLACK_MS, promptBound, schedulingNoise } from '../helpers/timing';

/**
 * The limit of the calls that must be refused at once. A refusal that came only after pumping
 * to the deadline (deasync spinning inside a microtask) would take all of it, and use a core
 * meanwhile: the bounds below are set from the machine's noise but stay well under it.
 */
const REFUSAL_LIMIT_MS = 1000;

/** Bounds for a refusal "at once", given the scheduling noise measured just before. */
function refusalBounds(noiseMs: number): { elapsedMs: number; cpuMs: number } {
  return {
    // Half the limit at most: a spin to the deadline takes all of it.
    elapsedMs: promptBound(noiseMs, { floorMs: 100, capMs: REFUSAL_LIMIT_MS / 2 }),
    // A quarter at most: a spin to the deadline gets at least a third of a core even with
    // both cores taken by other work.
    cpuMs: promptBound(noiseMs, { floorMs: 50, capMs: REFUSAL_LIMIT_MS / 4 }),
  };
}

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
      const slow = waitFor(REFUSAL_LIMIT_MS)(function slow() {
        return delay(20, 'value');
      });
      const what = `waitFor(${REFUSAL_LIMIT_MS}) function slow()`;
      return { slow, what, logger };
    }

    function expectRefusedAtOnce(
      attempt: () => unknown,
      what: string,
      noiseMs: number,
    ): { elapsedMs: number; cpuMs: number } {
      const { result: error, elapsedMs, cpuMs } = measure(() => thrownBy(attempt));
      expect(error).to.be.instanceOf(DeadlockError);
      expect((error as DeadlockError).reason).to.equal('in-microtask');
      expect((error as DeadlockError).message).to.equal(messages.inMicrotask(what));
      const bounds = refusalBounds(noiseMs);
      const context = `timer noise ${noiseMs.toFixed(1)} ms`;
      expect(elapsedMs, `refusal latency (ms), ${context}`).to.be.below(bounds.elapsedMs);
      expect(cpuMs, `CPU used by the refusal (ms), ${context}`).to.be.below(bounds.cpuMs);
      return { elapsedMs, cpuMs };
    }

    it('is refused at once inside a .then callback', async () => {
      const noise = await schedulingNoise();
      const { slow, what } = makeSlow();
      await Promise.resolve().then(() => expectRefusedAtOnce(() => slow(), what, noise));
    });

    it("is refused at once in code after an 'await'", async () => {
      const noise = await schedulingNoise();
      const { slow, what } = makeSlow();
      await null;
      expectRefusedAtOnce(() => slow(), what, noise);
    });

    it('is refused at once inside a queueMicrotask callback', async () => {
      const noise = await schedulingNoise();
      const { slow, what } = makeSlow();
      const refused = new Promise<void>((resolve, reject) => {
        queueMicrotask(() => {
          try {
            expectRefusedAtOnce(() => slow(), what, noise);
            resolve();
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      await refused;
    });

    it('is refused at once for EventualResult.wait() too', async () => {
      const noise = await schedulingNoise();
      const { runInReactor } = runningReactor();
      const eventual = runInReactor(function later() {
        return delay(20, 'value');
      });
      const result = eventual();
      await null;
      expectRefusedAtOnce(() => result.wait(REFUSAL_LIMIT_MS), 'EventualResult.wait()', noise);
      // The refusal consumed nothing: from synchronous code the same result can still be waited on.
      await delay(30, undefined);
      expect(result.wait(0)).to.equal('value');
    });

    it('is refused at once at the top level of an ES module (child process)', async () => {
      const noise = await schedulingNoise();
      const outcome = await runFixture('esm-top-level.mjs', { killAfterMs: 10_000 });
      const [report] = resultsOf<CallReport>(outcome);
      expect(report, describeRun(outcome)).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'in-microtask',
        // The fixture's limit is REFUSAL_LIMIT_MS too.
        message: messages.inMicrotask(`waitFor(${REFUSAL_LIMIT_MS}) function topLevel()`),
      });
      const bounds = refusalBounds(noise);
      const run = `timer noise ${noise.toFixed(1)} ms; ${describeRun(outcome)}`;
      expect(report?.elapsedMs, `refusal latency (ms), ${run}`).to.be.below(bounds.elapsedMs);
      expect(report?.cpuMs, `CPU used by the refusal (ms), ${run}`).to.be.below(bounds.cpuMs);
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
      'sleeps: a 1 s wait on a timer uses a small fraction of its time on CPU',
      fromMacrotask(() => {
        const { waitFor } = runningReactor();
        const second = waitFor(5000)(function second() {
          return delay(1000, 'done');
        });
        const { result, cpuMs, elapsedMs } = measure(() => second());
        expect(result).to.equal('done');
        expect(elapsedMs).to.be.at.least(1000 - LOOP_CLOCK_SLACK_MS);
        // A sleeping pump wakes a handful of times (about 1 ms of CPU). A spinning one is on
        // the CPU whenever it can get it: most of the wait on a quiet machine, and still at
        // least a third of it with both cores taken by other work. The CPU time is this
        // thread's own (timing.ts), so a loaded machine only stretches elapsedMs.
        expect(cpuMs, `CPU used by a 1 s wait (ms); took ${elapsedMs} ms`).to.be.below(
          elapsedMs / 10,
        );
      }),
    );

    it('fails fast when nothing can ever settle the wait (child process)', async () => {
      const noise = await schedulingNoise();
      const report = await liveness('never');
      expect(report).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'nothing-pending',
        message: messages.deadWait('waitFor(5000) function liveness()'),
      });
      // Waiting out the 5000 ms limit (or spinning to it) is the bug.
      const context = `limit was 5000, timer noise ${noise.toFixed(1)} ms`;
      expect(report.elapsedMs, `time to give up (ms), ${context}`).to.be.below(
        promptBound(noise, { floorMs: 100, capMs: 1000 }),
      );
      expect(report.cpuMs, `CPU used to give up (ms), ${context}`).to.be.below(
        promptBound(noise, { floorMs: 100, capMs: 500 }),
      );
    });

    it("fails as 'nothing-pending' when only an unref'd timer would settle it (documented)", async () => {
      const noise = await schedulingNoise();
      const report = await liveness('unref-timer');
      expect(report).to.deep.include({
        outcome: 'error',
        name: 'DeadlockError',
        reason: 'nothing-pending',
      });
      // The unref'd timer fires at 300 ms: giving up must come well before it.
      expect(report.elapsedMs, `timer noise ${noise.toFixed(1)} ms`).to.be.below(
        promptBound(noise, { floorMs: 100, capMs: 200 }),
      );
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

    it(
      'wakes each of 6 levels of nested waits on time',
      fromMacrotask(() => {
        const { waitFor } = runningReactor();
        const start = performance.now();
        // Each level calls the next from a timer callback its own wait runs, so the waits nest;
        // then it waits 5 ms more. A level whose wake-up was lost would sleep to its deadline.
        const nest = waitFor(5_000)(
          (depth: number): Promise<number> =>
            new Promise((resolve, reject) => {
              setTimeout(() => {
                try {
                  const inner = depth < 6 ? nest(depth + 1) : 0;
                  setTimeout(() => resolve(inner + 1), 5);
                } catch (error) {
                  reject(error as Error);
                }
              }, 1);
            }),
        );
        expect(nest(1)).to.equal(6);
        expect(performance.now() - start).to.be.below(2_500);
      }),
    );

    it('keeps no call alive after it ends, waits nested in its body included', async () => {
      const { waitFor } = runningReactor();
      const signals: WeakRef<AbortSignal>[] = [];
      // Each level calls the next from a timer callback scheduled by its body, so the nested
      // waits run inside the calls' contexts: nothing the pump keeps from one wait to the next
      // (a timer, say) may hold on to one. One level deeper than the spec above, 3 ms each: a
      // level's first wait and a wait after its 1 ms wake-up fired both happen in a body here.
      const nest = waitFor(5_000)((depth: number): Promise<void> => {
        signals.push(new WeakRef(currentSignal()));
        return new Promise((resolve, reject) => {
          setTimeout(() => {
            try {
              if (depth < 7) nest(depth + 1);
              resolve();
            } catch (error) {
              reject(error as Error);
            }
          }, 3);
        });
      });
      await new Promise<void>((resolve) => {
        setImmediate(() => {
          nest(1);
          resolve();
        });
      });
      expect(signals).to.have.length(7);
      // WeakRefs hold their targets until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      (globalThis as { gc?: () => void }).gc?.();
      const kept = signals.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i]));
      expect(kept, 'calls whose signal is still reachable').to.deep.equal([]);
    });
  });
});
