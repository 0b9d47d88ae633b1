/**
 * Unobserved failures and the weak registry of pending results: a failed EventualResult that
 * nobody observed is reported once, when it is garbage-collected (also when the failure comes
 * after that), or at shutdown when it was stashed; observed failures never are. Needs
 * node --expose-gc (set in .mocharc.json).
 */
import { expect } from 'chai';
import type { EventualResult } from '../../lib/core/eventual-result';
import { stderrLogger } from '../../lib/core/logger';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { messages } from '../../lib/messages';
import { describeRun, runFixture } from '../helpers/child';
import {
  FakeLogger,
  gcRounds,
  gcUntil,
  inMacrotask,
  runningReactor,
  turns,
} from '../helpers/fakes';

/** Watches an object's collection without keeping it alive. */
class CollectionWatch {
  private collectedFlag = false;
  private readonly registry = new FinalizationRegistry<null>(() => {
    this.collectedFlag = true;
  });
  private readonly ref: WeakRef<object>;
  constructor(target: object) {
    this.ref = new WeakRef(target);
    this.registry.register(target, null);
  }
  get collected(): boolean {
    return this.collectedFlag && this.ref.deref() === undefined;
  }
}

describe('unobserved failures', () => {
  it('a failed result nobody observed is reported exactly once when it is collected', async () => {
    const { runInReactor, logger } = runningReactor();
    const failure = new Error('nobody looked');
    const failing = runInReactor(function failing() {
      return Promise.reject(failure);
    });
    // Called in a helper so that no stack slot keeps the result alive.
    const watch = ((): CollectionWatch => new CollectionWatch(failing()))();
    await turns(2);
    expect(logger.entries, 'not reported while it may still be observed').to.deep.equal([]);
    expect(await gcUntil(() => watch.collected), 'the result was collected').to.equal(true);
    await gcRounds(3);
    expect(logger.entries).to.deep.equal([
      { message: messages.unobservedFailure(), error: failure },
    ]);
    await gcRounds(3);
    expect(logger.entries).to.have.length(1);
  });

  it('is not reported by a shutdown that runs while a wait() on it blocks, and is observed there', async () => {
    // The body fails from a timer and a second timer of the same list calls stop(), inside the
    // wait()'s own loop turn: the shutdown reported the failure that the wait then threw (soak,
    // Node.js 22, seed 983255032).
    const { controller, runInReactor, logger } = runningReactor();
    const failure = new Error('failed just before the stop');
    const failing = runInReactor(function failing() {
      return new Promise((_resolve, reject) => {
        setTimeout(() => reject(failure), 5);
        setTimeout(() => void controller.stop(), 5);
      });
    });
    const result = failing();
    const thrown = await inMacrotask(() => {
      try {
        return result.wait(2_000);
      } catch (error) {
        return error;
      }
    });
    await turns(2);
    expect(thrown).to.equal(failure);
    expect(controller.state).to.equal('stopped');
    expect(logger.entries).to.deep.equal([]);
  });

  it('is reported when the failure arrives after the result was collected', async () => {
    const { runInReactor, logger } = runningReactor();
    const failure = new Error('late failure');
    let fail: (error: Error) => void = () => undefined;
    const failing = runInReactor(function failing() {
      return new Promise((_resolve, reject) => {
        fail = reject;
      });
    });
    const watch = ((): CollectionWatch => new CollectionWatch(failing()))();
    expect(await gcUntil(() => watch.collected), 'the result was collected').to.equal(true);
    await gcRounds(2);
    expect(logger.entries).to.deep.equal([]);
    fail(failure);
    await turns(2);
    expect(logger.entries).to.deep.equal([
      { message: messages.unobservedFailure(), error: failure },
    ]);
    await gcRounds(2);
    expect(logger.entries).to.have.length(1);
  });

  it('a result that succeeded is never reported', async () => {
    const { runInReactor, logger } = runningReactor();
    const watch = ((): CollectionWatch => new CollectionWatch(runInReactor(() => 42)()))();
    expect(await gcUntil(() => watch.collected)).to.equal(true);
    await gcRounds(2);
    expect(logger.entries).to.deep.equal([]);
  });

  it('a failure observed with wait() is never reported', (done) => {
    const { runInReactor, logger } = runningReactor();
    const failure = new Error('seen by wait');
    const failing = runInReactor(() => Promise.reject(failure));
    let watch: CollectionWatch | undefined;
    setImmediate(() => {
      try {
        const result = failing();
        watch = new CollectionWatch(result);
        expect(() => result.wait(1000)).to.throw(failure.message);
      } catch (error) {
        done(error);
        return;
      }
      gcUntil(() => watch?.collected === true)
        .then(async (collected) => {
          expect(collected).to.equal(true);
          await gcRounds(2);
          expect(logger.entries).to.deep.equal([]);
        })
        .then(() => done(), done);
    });
  });

  it('a failure observed with originalError() is never reported', async () => {
    const { runInReactor, logger } = runningReactor();
    const failure = new Error('seen by originalError');
    const failing = runInReactor(() => Promise.reject(failure));
    const watch = await (async (): Promise<CollectionWatch> => {
      const result = failing();
      await turns(1);
      expect(result.originalError()).to.equal(failure);
      return new CollectionWatch(result);
    })();
    expect(await gcUntil(() => watch.collected)).to.equal(true);
    await gcRounds(2);
    expect(logger.entries).to.deep.equal([]);
  });

  it('a stashed failure is not reported on collection, but at shutdown', async () => {
    const { controller, runInReactor, logger } = runningReactor();
    const failure = new Error('stashed and forgotten');
    const id = ((): number => runInReactor(() => Promise.reject(failure))().stash())();
    await gcRounds(4);
    expect(logger.entries).to.deep.equal([]);
    await controller.stop();
    expect(logger.entries).to.deep.equal([
      { message: messages.stashedUnobserved(id), error: failure },
    ]);
  });

  it('a stashed failure that was retrieved and observed is not reported at shutdown', async () => {
    const { controller, runInReactor, logger } = runningReactor();
    const id = runInReactor(() => Promise.reject(new Error('retrieved')))().stash();
    await turns(1);
    expect(controller.retrieveResult(id).originalError()).to.be.instanceOf(Error);
    await controller.stop();
    await gcRounds(2);
    expect(logger.entries).to.deep.equal([]);
  });

  it('the logger is replaceable with setLogger()', async () => {
    const { controller, runInReactor, logger } = runningReactor();
    const replacement = new FakeLogger();
    controller.setLogger(replacement);
    const failure = new Error('to the new logger');
    const watch = ((): CollectionWatch =>
      new CollectionWatch(runInReactor(() => Promise.reject(failure))()))();
    expect(await gcUntil(() => watch.collected)).to.equal(true);
    await gcRounds(3);
    expect(logger.entries).to.deep.equal([]);
    expect(replacement.entries).to.deep.equal([
      { message: messages.unobservedFailure(), error: failure },
    ]);
  });

  it('the default logger writes to stderr', () => {
    expect(defaultCollaborators().logger).to.equal(stderrLogger);
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      stderrLogger.error('a message', new Error('an error'));
    } finally {
      process.stderr.write = original;
    }
    expect(written).to.have.length(1);
    expect(written[0]).to.match(/^a message Error: an error\n/);
  });

  it('the global reactor reports to stderr by default (child process)', async () => {
    const outcome = await runFixture('default-logger.js', { execArgv: ['--expose-gc'] });
    expect(outcome.code, describeRun(outcome)).to.equal(0);
    expect(outcome.lines, describeRun(outcome)).to.deep.equal(['done']);
    expect(outcome.stderr, describeRun(outcome)).to.include(
      `${messages.unobservedFailure()} Error: nobody looked at me`,
    );
    expect(outcome.stderr.split(messages.unobservedFailure())).to.have.length(2);
  });
});

describe('the registry of pending results', () => {
  it('holds a pending result weakly: a dropped one is collected', async () => {
    const { controller, runInReactor } = runningReactor();
    const watch = ((): CollectionWatch =>
      new CollectionWatch(runInReactor(() => new Promise(() => undefined))()))();
    await turns(1);
    expect(controller.pendingCount).to.equal(1);
    expect(await gcUntil(() => watch.collected), 'the pending result was collected').to.equal(true);
    // The operation itself is still pending, so stop() can still release it.
    expect(controller.pendingCount).to.equal(1);
  });

  it('holds a stashed result strongly until it is retrieved', async () => {
    const { controller, runInReactor } = runningReactor();
    const [id, watch] = ((): [number, CollectionWatch] => {
      const result = runInReactor(() => new Promise(() => undefined))();
      return [result.stash(), new CollectionWatch(result)];
    })();
    expect(await gcUntil(() => watch.collected, 8)).to.equal(false);
    let retrieved: EventualResult<unknown> | undefined = controller.retrieveResult(id);
    expect(retrieved.originalError()).to.equal(undefined);
    retrieved = undefined;
    expect(retrieved).to.equal(undefined);
    expect(await gcUntil(() => watch.collected), 'collected once retrieved and dropped').to.equal(
      true,
    );
  });
});
