/**
 * What is reported and what is not, and that reporting can never break the reactor:
 * - after a timeout or cancel aborted a call, a body that took its signal and fails its own way
 *   (a driver's "canceling statement" error) is not reported; a body that never took its signal
 *   and fails later is (lib/operation.ts, abortCaused);
 * - a logger that throws does not stop shutdown, later hooks, or the release of blocked callers;
 * - setup() after noSetup() changes nothing, not even the logger;
 * - a failed result collected just before the process exits is still reported;
 * - under sinon fake timers, stop() and hook limits keep real time.
 */
import { expect } from 'chai';
import * as timers from 'node:timers';
import * as sinon from 'sinon';
import { currentSignal } from '../../lib/core/call-context';
import { ReactorStopped, TimeoutError } from '../../lib/errors';
import type { Logger } from '../../lib/core/logger';
import { messages } from '../../lib/messages';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { createDecorators } from '../../lib/declare/decorators';
import { runScript } from '../thread/helpers';
import {
  delay,
  FakeLogger,
  FakeProcess,
  fromMacrotask,
  runningReactor,
  thrownBy,
} from '../helpers/fakes';

const realNow = performance.now.bind(performance);
const realSetTimeout = timers.setTimeout;
const realSetInterval = timers.setInterval;
const realClearInterval = timers.clearInterval;

/** Rejects like node-postgres after pg_cancel_backend: its own error, a little after the abort. */
function driverQuery(ms: number): Promise<string> {
  const signal = currentSignal();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('rows'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      const error = Object.assign(new Error('canceling statement due to user request'), {
        code: '57014',
      });
      setTimeout(() => reject(error), 5);
    });
  });
}

describe('call outcomes and reports', () => {
  describe('failures after our own abort', () => {
    it('a timed-out body that honours its signal with its own error is not reported', () => {
      const { waitFor, logger } = runningReactor();
      const query = waitFor(30)(() => driverQuery(5_000));
      const pump = waitFor(1_000)(() => delay(50, undefined));
      expect(thrownBy(() => query())).to.be.instanceOf(TimeoutError);
      pump();
      expect(logger.entries).to.deep.equal([]);
    });

    it('a timed-out body that never took its signal and fails later is reported as a late failure', () => {
      const { waitFor, logger } = runningReactor();
      const failure = new Error('a real bug, after the caller gave up');
      const careless = waitFor(30)(async () => {
        await delay(60, undefined);
        throw failure;
      });
      const pump = waitFor(1_000)(() => delay(100, undefined));
      expect(thrownBy(() => careless())).to.be.instanceOf(TimeoutError);
      pump();
      expect(logger.entries).to.deep.equal([{ message: messages.lateFailure(), error: failure }]);
    });

    it('a cancelled eventual call whose driver fails its own way is not reported', () => {
      const { runInReactor, waitFor, logger } = runningReactor();
      const result = runInReactor(() => driverQuery(5_000))();
      const pump = waitFor(1_000)(() => delay(50, undefined));
      pump();
      result.cancel();
      pump();
      expect(logger.entries).to.deep.equal([]);
    });
  });

  describe('a logger that throws', () => {
    let stderr: sinon.SinonStub;
    beforeEach(() => {
      stderr = sinon.stub(process.stderr, 'write').returns(true);
    });
    afterEach(() => stderr.restore());

    it('does not stop shutdown: later hooks run, blocked callers are released, the report reaches stderr', async () => {
      const broken: Logger = {
        error: () => {
          throw new Error('logger is broken');
        },
      };
      const controller = new ReactorController({
        ...defaultCollaborators(),
        logger: broken,
        process: new FakeProcess(),
      });
      const { runInReactor } = createDecorators(controller);
      controller.noSetup();
      const events: string[] = [];
      controller.addShutdownHook('before', function failingHook() {
        throw new Error('hook failed');
      });
      controller.addShutdownHook('before', () => void events.push('second before hook'));
      controller.addShutdownHook('during', () => void events.push('during hook'));
      const pending = runInReactor(() => new Promise(() => undefined))();
      await controller.stop();
      expect(events).to.deep.equal(['second before hook', 'during hook']);
      expect(thrownBy(() => pending.wait(1_000))).to.be.instanceOf(ReactorStopped);
      const written = stderr.getCalls().map((call) => String(call.args[0]));
      expect(
        written.some((text) => text.includes(messages.hookFailed('failingHook', 'before'))),
      ).to.equal(true);
      expect(written.some((text) => text.includes('logger is broken'))).to.equal(true);
    });

    it('does not break the report of an unobserved failure', () => {
      const controller = new ReactorController({
        ...defaultCollaborators(),
        logger: {
          error: () => {
            throw new Error('logger is broken');
          },
        },
      });
      expect(() =>
        controller.report('crochet: something nobody saw', new Error('x')),
      ).to.not.throw();
      const written = stderr.getCalls().map((call) => String(call.args[0]));
      expect(written.some((text) => text.includes('something nobody saw'))).to.equal(true);
    });
  });

  it('setup({ logger }) after noSetup() changes nothing, not even the logger', () => {
    const first = new FakeLogger();
    const second = new FakeLogger();
    const fakeProcess = new FakeProcess();
    const controller = new ReactorController({
      ...defaultCollaborators(),
      logger: first,
      process: fakeProcess,
    });
    controller.noSetup();
    controller.setup({ logger: second, hookTimeoutMs: 1 });
    expect(fakeProcess.handlers).to.equal(undefined);
    controller.report('crochet: a report', undefined);
    expect(first.messages).to.deep.equal(['crochet: a report']);
    expect(second.messages).to.deep.equal([]);
  });

  it('a failed result collected just before the process exits is still reported (child process)', function () {
    this.timeout(20_000);
    const result = runScript(
      `
      const crochet = require(LIB);
      crochet.setup();
      const failing = crochet.runInReactor(() => Promise.reject(new Error('nobody looked at me')));
      (() => { failing(); })();
      // Settle it, drop it, collect it: its finalizer has no chance to run before the exit.
      setImmediate(() => { globalThis.gc(); console.log('exiting'); });
    `,
      { args: ['--expose-gc'] },
    );
    expect(result.stdout).to.include('exiting');
    expect(result.stderr, result.stderr).to.include(messages.unobservedFailure());
    expect(result.stderr).to.include('nobody looked at me');
    expect(result.status).to.equal(0);
  });

  describe('under sinon fake timers', () => {
    it('a call whose body waits on a faked timer sleeps to its real-time limit, without spinning (child process, stdout a pipe)', function () {
      this.timeout(20_000);
      // A ref'd but idle stdout pipe counts as liveness for Node, not for libuv: the pump must
      // still sleep in uv_run rather than return at once, over and over.
      const result = runScript(
        `
        const crochet = require(LIB);
        crochet.setup();
        process.stdout.write('');
        const sleep = crochet.waitFor(500)((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        require(${JSON.stringify(require.resolve('sinon'))}).useFakeTimers();
        const cpu = process.cpuUsage();
        try { sleep(5000); console.log('returned'); }
        catch (error) {
          const used = process.cpuUsage(cpu);
          console.log(JSON.stringify({ error: error.name, cpuMs: (used.user + used.system) / 1000 }));
        }
      `,
      );
      const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
      expect(line, result.stdout + result.stderr).to.not.equal(undefined);
      const outcome = JSON.parse(line as string) as { error: string; cpuMs: number };
      expect(['TimeoutError', 'DeadlockError']).to.include(outcome.error);
      // Spinning would cost about the whole 500 ms.
      expect(outcome.cpuMs, result.stdout).to.be.below(150);
    });

    let clock: sinon.SinonFakeTimers | undefined;
    afterEach(() => clock?.restore());

    it('stop() releases a blocked caller and cuts off a hung hook in real time', (done) => {
      const { controller, waitFor, logger } = runningReactor();
      controller.addShutdownHook('during', () => new Promise(() => undefined), {
        name: 'hangs',
        timeoutMs: 100,
      });
      let keepAlive: NodeJS.Timeout | undefined;
      // Waits on nothing that ever settles, kept alive by a real interval.
      const blocked = waitFor(5_000)(
        () =>
          new Promise(() => {
            keepAlive = realSetInterval(() => undefined, 1_000);
          }),
      );
      fromMacrotask(() => {
        clock = sinon.useFakeTimers();
        const started = realNow();
        let stopping: Promise<void> = Promise.resolve();
        realSetTimeout(() => {
          stopping = controller.stop();
        }, 50);
        const error = thrownBy(() => blocked());
        realClearInterval(keepAlive);
        void stopping.then(() => {
          try {
            expect(error).to.be.instanceOf(ReactorStopped);
            expect(logger.messages).to.deep.equal([messages.hookTimedOut('hangs', 'during', 100)]);
            expect(realNow() - started).to.be.below(3_000);
            done();
          } catch (failure) {
            done(failure);
          }
        });
      })(() => undefined);
    });
  });
});
