/**
 * The reactor controller (lib/reactor.ts): timeouts and the AbortSignal of a call, the
 * setup()/noSetup() lifecycle, stop() releasing blocked callers and refusing later calls, and
 * signal handling through a fake process integration.
 */
import { expect } from 'chai';
import { currentSignal } from '../../lib/core/call-context';
import {
  CancelledError,
  CrochetError,
  NotSetUpError,
  ReactorStopped,
  TimeoutError,
} from '../../lib/errors';
import { messages } from '../../lib/messages';
import {
  delay,
  FakeLogger,
  inMacrotask,
  makeReactor,
  measure,
  runningReactor,
  thrownBy,
  turns,
} from '../helpers/fakes';
import { LOOP_CLOCK_SLACK_MS, promptBound, schedulingNoise } from '../helpers/timing';

/** A body that runs until its signal aborts (kept alive by a ref'd timer), then rejects. */
function untilAborted(rejectWith: (signal: AbortSignal) => unknown): Promise<never> {
  const signal = currentSignal();
  return new Promise((_resolve, reject) => {
    const timer = setTimeout(() => undefined, 60_000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(rejectWith(signal));
    });
  });
}

describe('ReactorController', () => {
  describe('timeouts', () => {
    it('throws TimeoutError after the timeout, on time (50 ms asked)', async () => {
      const noise = await schedulingNoise();
      const { waitFor } = runningReactor();
      const slow = waitFor(50)(function slow() {
        return untilAborted((signal) => signal.reason);
      });
      const { result: error, elapsedMs } = await inMacrotask(() =>
        measure(() => thrownBy(() => slow())),
      );
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as TimeoutError).message).to.equal(
        messages.timeout(50, 'waitFor(50) function slow()'),
      );
      expect((error as TimeoutError).timeoutMs).to.equal(50);
      // The deadline is kept by performance.now(), the clock measured here: never early.
      // Late only by the machine's noise; a wake-up that is missed or late costs at least
      // 250 ms here (the body's own timer is 60 s away), above the cap.
      const late = promptBound(noise, { floorMs: 100, capMs: 200 });
      expect(elapsedMs, `time until TimeoutError (ms), timer noise ${noise.toFixed(1)} ms`)
        .to.be.at.least(50)
        .and.below(50 + late);
    });

    it('names a decorated method in the TimeoutError message', (done) => {
      const { waitFor } = runningReactor();
      class Client {
        @waitFor(20)
        fetch(): Promise<never> {
          return untilAborted((signal) => signal.reason);
        }
      }
      setImmediate(() => {
        try {
          const error = thrownBy(() => new Client().fetch());
          expect((error as Error).message).to.equal(
            messages.timeout(20, '@waitFor(20) method Client.prototype.fetch()'),
          );
          done();
        } catch (error) {
          done(error);
        }
      });
    });

    it('aborts currentSignal() with the TimeoutError as its reason', (done) => {
      const { waitFor } = runningReactor();
      let signal: AbortSignal | undefined;
      const slow = waitFor(30)(function slow() {
        signal = currentSignal();
        return untilAborted((s) => s.reason);
      });
      setImmediate(() => {
        try {
          expect(signal).to.equal(undefined);
          const error = thrownBy(() => slow());
          expect(error).to.be.instanceOf(TimeoutError);
          expect(signal?.aborted).to.equal(true);
          expect(signal?.reason).to.equal(error);
          done();
        } catch (error) {
          done(error);
        }
      });
    });

    for (const [how, rejectWith] of [
      ['with the abort reason', (signal: AbortSignal) => signal.reason],
      ['with an AbortError', () => new DOMException('This operation was aborted', 'AbortError')],
    ] as const) {
      it(`does not report a body that then rejects ${how} as an unobserved failure`, (done) => {
        const { waitFor, logger } = runningReactor();
        const slow = waitFor(20)(function slow() {
          return untilAborted(rejectWith);
        });
        setImmediate(() => {
          try {
            expect(thrownBy(() => slow())).to.be.instanceOf(TimeoutError);
          } catch (error) {
            done(error);
            return;
          }
          turns(5).then(() => {
            try {
              expect(logger.entries).to.deep.equal([]);
              done();
            } catch (error) {
              done(error);
            }
          }, done);
        });
      });
    }

    it('reports a real failure that arrives after the caller timed out', (done) => {
      const { waitFor, logger } = runningReactor();
      const failure = new Error('the body failed on its own');
      const slow = waitFor(20)(function slow() {
        return new Promise((_resolve, reject) => setTimeout(() => reject(failure), 60));
      });
      setImmediate(() => {
        try {
          expect(thrownBy(() => slow())).to.be.instanceOf(TimeoutError);
        } catch (error) {
          done(error);
          return;
        }
        delay(100, undefined).then(() => {
          try {
            expect(logger.entries).to.deep.equal([
              { message: messages.lateFailure(), error: failure },
            ]);
            done();
          } catch (error) {
            done(error);
          }
        }, done);
      });
    });

    it('EventualResult.cancel() aborts the running call’s signal', async () => {
      const { runInReactor, logger } = runningReactor();
      let signal: AbortSignal | undefined;
      const call = runInReactor(function call() {
        signal = currentSignal();
        return untilAborted((s) => s.reason);
      });
      const result = call();
      await turns(1);
      expect(signal?.aborted).to.equal(false);
      result.cancel();
      expect(signal?.aborted).to.equal(true);
      expect((signal?.reason as Error).name).to.equal('AbortError');
      const error = result.originalError();
      expect(error).to.be.instanceOf(CancelledError);
      expect((error as Error).cause).to.equal(signal?.reason);
      await turns(2);
      // The body rejected with the signal's reason afterwards: a consequence, not reported.
      expect(result.originalError()).to.equal(error);
      expect(logger.entries).to.deep.equal([]);
    });
  });

  describe('lifecycle', () => {
    it('refuses calls before setup() with NotSetUpError', () => {
      const { waitFor, runInReactor } = makeReactor();
      let ran = false;
      const blocking = waitFor(100)(function blocking() {
        ran = true;
      });
      const eventual = runInReactor(function eventual() {
        ran = true;
      });
      const first = thrownBy(() => blocking());
      expect(first).to.be.instanceOf(NotSetUpError);
      expect((first as Error).message).to.equal(
        messages.notSetUp('waitFor(100) function blocking()'),
      );
      expect(thrownBy(() => eventual())).to.be.instanceOf(NotSetUpError);
      expect(ran).to.equal(false);
    });

    it('setup() is idempotent: process handlers are installed once', () => {
      const { controller, process } = makeReactor();
      controller.setup();
      controller.setup();
      controller.setup({});
      expect(controller.state).to.equal('running');
      expect(process.installs).to.equal(1);
    });

    it('setup() after noSetup() is a no-op that installs nothing', () => {
      const { controller, process } = makeReactor();
      controller.noSetup();
      controller.setup();
      expect(controller.state).to.equal('running');
      expect(process.installs).to.equal(0);
    });

    it('noSetup() twice throws, saying so', () => {
      const { controller } = makeReactor();
      controller.noSetup();
      expect(() => controller.noSetup()).to.throw(CrochetError, messages.noSetupTwice());
    });

    it('noSetup() after setup() throws, saying so', () => {
      const { controller } = makeReactor();
      controller.setup();
      expect(() => controller.noSetup()).to.throw(CrochetError, messages.noSetupAfterSetup());
    });

    it('setup() after stop() throws ReactorStopped', async () => {
      const { controller } = makeReactor();
      controller.setup();
      await controller.stop();
      expect(() => controller.setup()).to.throw(ReactorStopped, messages.setupAfterStop());
    });

    it('setup({ logger }) replaces the logger', async () => {
      const { controller, logger, runInReactor } = makeReactor();
      const replacement = new FakeLogger();
      controller.setup({ logger: replacement });
      const failure = new Error('stashed failure');
      const id = runInReactor(() => Promise.reject(failure))().stash();
      await turns(1);
      await controller.stop();
      expect(logger.entries).to.deep.equal([]);
      expect(replacement.entries).to.deep.equal([
        { message: messages.stashedUnobserved(id), error: failure },
      ]);
    });
  });

  describe('stop()', () => {
    it('releases a caller blocked on a call that would never settle, with ReactorStopped', async () => {
      const { controller, waitFor } = runningReactor();
      let signal: AbortSignal | undefined;
      const forever = waitFor(10_000)(function forever() {
        signal = currentSignal();
        // Never settles on its own, but a ref'd timer keeps the loop alive.
        return new Promise(() => {
          const timer = setTimeout(() => undefined, 60_000);
          signal?.addEventListener('abort', () => clearTimeout(timer));
        });
      });
      // All times by performance.now(), from just before the timer that calls stop() is set.
      const { error, stopAt, releasedAt } = await inMacrotask(() => {
        const start = performance.now();
        let stopCalledAt = Number.NaN;
        setTimeout(() => {
          stopCalledAt = performance.now() - start;
          void controller.stop();
        }, 50);
        const thrown = thrownBy(() => forever());
        return { error: thrown, stopAt: stopCalledAt, releasedAt: performance.now() - start };
      });
      const times = `stop() called at ${stopAt.toFixed(1)} ms, caller released at ${releasedAt.toFixed(1)} ms`;
      expect(error, times).to.be.instanceOf(ReactorStopped);
      expect((error as Error).message).to.equal(messages.stoppedWhilePending());
      // The caller stayed blocked until stop() was called (from the 50 ms timer, which may fire
      // a hair early by this clock: the loop's clock counts whole milliseconds)...
      expect(stopAt, times).to.be.at.least(50 - LOOP_CLOCK_SLACK_MS);
      expect(releasedAt, times).to.be.at.least(stopAt);
      // ...and was released promptly after: within the machine's noise, as seen by how late that
      // very timer fired. Not noticing would mean the 10 s deadline.
      const timerLate = Math.max(0, stopAt - 50);
      expect(releasedAt - stopAt, times).to.be.below(
        promptBound(timerLate, { floorMs: 100, capMs: 1000 }),
      );
      expect(signal?.aborted).to.equal(true);
      expect(signal?.reason).to.equal(error);
      expect(controller.pendingCount).to.equal(0);
    });

    it('fails pending EventualResults with ReactorStopped, without reporting them', async () => {
      const { controller, runInReactor, logger } = runningReactor();
      const result = runInReactor(() => new Promise(() => undefined))();
      await turns(1);
      expect(controller.pendingCount).to.equal(1);
      await controller.stop();
      const error = result.originalError();
      expect(error).to.be.instanceOf(ReactorStopped);
      expect((error as Error).message).to.equal(messages.stoppedWhilePending());
      expect(logger.entries).to.deep.equal([]);
    });

    it('after stop, decorated calls throw ReactorStopped synchronously and never run', async () => {
      const { controller, waitFor, runInReactor } = runningReactor();
      let runs = 0;
      class Service {
        @waitFor(100)
        blocking(): number {
          runs += 1;
          return 1;
        }
        @runInReactor
        eventual(): number {
          runs += 1;
          return 2;
        }
      }
      await controller.stop();
      expect(controller.state).to.equal('stopped');
      const service = new Service();
      const blockingError = thrownBy(() => service.blocking());
      expect(blockingError).to.be.instanceOf(ReactorStopped);
      expect((blockingError as Error).message).to.equal(
        messages.stopped('@waitFor(100) method Service.prototype.blocking()'),
      );
      const eventualError = thrownBy(() => service.eventual());
      expect(eventualError).to.be.instanceOf(ReactorStopped);
      expect((eventualError as Error).message).to.equal(
        messages.stopped('@runInReactor method Service.prototype.eventual()'),
      );
      await turns(2);
      expect(runs).to.equal(0);
    });

    it('refuses calls while stopping, too', async () => {
      const { controller, runInReactor } = runningReactor();
      let release: () => void = () => undefined;
      controller.addShutdownHook('before', () => new Promise<void>((r) => (release = r)));
      const stopped = controller.stop();
      expect(controller.state).to.equal('stopping');
      expect(thrownBy(() => runInReactor(() => 1)())).to.be.instanceOf(ReactorStopped);
      release();
      await stopped;
      expect(controller.state).to.equal('stopped');
    });

    it('is idempotent: every call returns the same promise and hooks run once', async () => {
      const { controller } = runningReactor();
      let runs = 0;
      controller.addShutdownHook('during', () => {
        runs += 1;
      });
      const first = controller.stop();
      const second = controller.stop();
      expect(second).to.equal(first);
      await first;
      await controller.stop();
      expect(runs).to.equal(1);
    });
  });

  describe('process integration (fake process)', () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      it(`${signal}: stops, runs the hooks, then exits with ${code}`, async () => {
        const { controller, process, runInReactor } = makeReactor();
        controller.setup();
        const events: string[] = [];
        controller.addShutdownHook('after', () => {
          events.push('after hook');
        });
        const pending = runInReactor(() => new Promise(() => undefined))();
        await turns(1);
        process.handlers?.signal(signal);
        expect(controller.state).to.equal('stopping');
        expect(process.uncaughtHandlers.size).to.equal(1);
        await turns(5);
        expect(events).to.deep.equal(['after hook']);
        expect(pending.originalError()).to.be.instanceOf(ReactorStopped);
        expect(process.exits).to.deep.equal([code]);
        expect(process.uncaughtHandlers.size).to.equal(0);
        expect(process.removals).to.equal(1);
      });
    }

    it('a second signal during shutdown exits at once', async () => {
      const { controller, process } = makeReactor();
      controller.setup();
      let release: () => void = () => undefined;
      controller.addShutdownHook('before', () => new Promise<void>((r) => (release = r)));
      process.handlers?.signal('SIGINT');
      process.handlers?.signal('SIGINT');
      expect(process.exits).to.deep.equal([130]);
      release();
      await turns(2);
    });

    it('absorbs ReactorStopped escaping during a signal shutdown, reports anything else', async () => {
      const { controller, process, logger } = makeReactor();
      controller.setup();
      controller.addShutdownHook('before', () => delay(10, undefined));
      process.handlers?.signal('SIGINT');
      const [handler] = [...process.uncaughtHandlers];
      const other = new Error('something else');
      handler?.(new ReactorStopped('escaped'));
      handler?.(other);
      expect(logger.entries).to.deep.equal([
        { message: messages.uncaughtDuringShutdown(), error: other },
      ]);
      await delay(30, undefined);
      expect(process.exits).to.deep.equal([130]);
    });

    it('beforeExit (a normal end) runs an orderly stop', async () => {
      const { controller, process } = makeReactor();
      controller.setup();
      const events: string[] = [];
      controller.addShutdownHook('during', () => {
        events.push('during');
      });
      process.handlers?.beforeExit();
      await turns(2);
      expect(events).to.deep.equal(['during']);
      expect(controller.state).to.equal('stopped');
      expect(process.exits).to.deep.equal([]);
    });

    it('exit runs the hooks synchronously and fails pending calls', async () => {
      const { controller, process, runInReactor, logger } = makeReactor();
      controller.setup();
      const events: string[] = [];
      const pending = runInReactor(() => new Promise(() => undefined))();
      for (const phase of ['after', 'before', 'during'] as const) {
        controller.addShutdownHook(phase, () => {
          const released = pending.originalError() instanceof ReactorStopped;
          events.push(`${phase}${released ? ' (call released)' : ''}`);
        });
      }
      controller.addShutdownHook(
        'during',
        () => {
          throw new Error('hook broke');
        },
        { name: 'broken' },
      );
      await turns(1);
      process.handlers?.exit();
      expect(events).to.deep.equal(['before', 'during (call released)', 'after (call released)']);
      expect(controller.state).to.equal('stopped');
      expect(pending.originalError()).to.be.instanceOf(ReactorStopped);
      expect(logger.messages).to.deep.equal([messages.hookFailed('broken', 'during')]);
    });
  });
});
