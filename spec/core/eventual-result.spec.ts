/**
 * EventualResult: repeatable wait(), timed-out waits that can be retried and cancel nothing,
 * cancel(), originalError(), and stash()/retrieveResult().
 */
import { expect } from 'chai';
import {
  CancelledError,
  currentSignal,
  EventualResult,
  noSetup,
  retrieveResult,
  runInReactor as globalRunInReactor,
  TimeoutError,
} from '../../lib/index';
import { messages, resetReactor } from '../../lib/testing';
import { quote } from '../../lib/quote';
import { delay, ownReactor, rejectLater, thrownBy, type OwnReactor } from '../helpers/own-reactor';

describe('EventualResult', () => {
  let r: OwnReactor;
  beforeEach(() => {
    r = ownReactor();
  });

  describe('wait()', () => {
    it('returns the same value object on every call', () => {
      const value = { once: true };
      const result = r.runInReactor(() => delay(5, value))();
      expect(result.wait(1_000)).to.equal(value);
      expect(result.wait(1_000)).to.equal(value);
      expect(result.wait(0)).to.equal(value);
    });

    it('throws the same error object on every call', () => {
      const error = new Error('once');
      const result = r.runInReactor(() => rejectLater(5, error))();
      expect(thrownBy(() => result.wait(1_000))).to.equal(error);
      expect(thrownBy(() => result.wait(1_000))).to.equal(error);
      expect(thrownBy(() => result.wait(0))).to.equal(error);
    });

    it('throws the same non-Error rejection (undefined) on every call', () => {
      const result = r.runInReactor(() => Promise.reject(undefined))();
      expect(thrownBy(() => result.wait(1_000))).to.equal(undefined);
      expect(thrownBy(() => result.wait(1_000))).to.equal(undefined);
    });

    it('runs the body once however often wait() is called', () => {
      let runs = 0;
      const result = r.runInReactor(() => {
        runs += 1;
        return runs;
      })();
      expect([result.wait(100), result.wait(100), result.wait(100)]).to.deep.equal([1, 1, 1]);
      r.pumpFor(5);
      expect(runs).to.equal(1);
    });

    it('throws TimeoutError when the timeout passes, naming the timeout', () => {
      const result = r.runInReactor(() => delay(200, 'late'))();
      const started = performance.now();
      const error = thrownBy(() => result.wait(20));
      const elapsed = performance.now() - started;
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as TimeoutError).message).to.equal(
        messages.timeout(20, 'EventualResult.wait()'),
      );
      expect((error as TimeoutError).timeoutMs).to.equal(20);
      expect(elapsed).to.be.at.least(15).and.below(150);
    });

    it('after a timeout can be retried, cancels nothing, and later returns the value', () => {
      let signal: AbortSignal | undefined;
      const value = { late: true };
      const result = r.runInReactor(async () => {
        signal = currentSignal();
        await delay(60, undefined);
        return value;
      })();
      expect(thrownBy(() => result.wait(5))).to.be.instanceOf(TimeoutError);
      expect(signal?.aborted).to.equal(false);
      expect(thrownBy(() => result.wait(5))).to.be.instanceOf(TimeoutError);
      expect(signal?.aborted).to.equal(false);
      expect(result.wait(5_000)).to.equal(value);
      expect(signal?.aborted).to.equal(false);
    });

    it('after a timeout can be retried and later throws the error', () => {
      const error = new Error('late failure');
      const result = r.runInReactor(() => rejectLater(40, error))();
      expect(thrownBy(() => result.wait(1))).to.be.instanceOf(TimeoutError);
      expect(thrownBy(() => result.wait(5_000))).to.equal(error);
    });

    it('wait(0) on a pending result times out at once, and does not start or cancel anything', () => {
      let signal: AbortSignal | undefined;
      const result = r.runInReactor(async () => {
        signal = currentSignal();
        return delay(20, 'v');
      })();
      expect(thrownBy(() => result.wait(0))).to.be.instanceOf(TimeoutError);
      expect(result.wait(1_000)).to.equal('v');
      expect(signal?.aborted).to.equal(false);
    });

    for (const [bad, kind] of [
      ['5', TypeError],
      [-1, RangeError],
      [Number.NaN, RangeError],
      [Number.POSITIVE_INFINITY, RangeError],
    ] as const) {
      it(`rejects wait(${quote(bad)}) with a ${kind.name} and consumes nothing`, () => {
        const result = r.runInReactor(() => 'ok')();
        const error = thrownBy(() => result.wait(bad as number));
        expect(error).to.be.instanceOf(kind);
        expect((error as Error).message).to.equal(
          messages.badTimeout(bad, 'EventualResult.wait()'),
        );
        expect(result.wait(1_000)).to.equal('ok');
      });
    }
  });

  describe('cancel()', () => {
    it('aborts the signal of a running body with an AbortError and ends the result at once', () => {
      let signal: AbortSignal | undefined;
      const result = r.runInReactor(async () => {
        signal = currentSignal();
        await delay(30, undefined);
        return 'finished anyway';
      })();
      r.pumpFor(0);
      expect(signal?.aborted).to.equal(false);
      result.cancel();
      expect(signal?.aborted).to.equal(true);
      expect(signal?.reason).to.be.instanceOf(DOMException);
      expect((signal?.reason as DOMException).name).to.equal('AbortError');
      // Twisted: a cancelled Deferred whose work ignores the cancellation fails with
      // CancelledError; the body finishing later changes nothing.
      const started = performance.now();
      const error = thrownBy(() => result.wait(1_000));
      expect(performance.now() - started).to.be.below(25);
      expect(error).to.be.instanceOf(CancelledError);
      expect((error as Error).message).to.equal(messages.cancelled());
      expect((error as Error).cause).to.equal(signal?.reason);
      r.pumpFor(50);
      expect(thrownBy(() => result.wait(1_000))).to.equal(error);
      expect(r.reports).to.deep.equal([]);
    });

    it('releases a caller blocked in wait() when a callback cancels, long before the body ends', () => {
      const result = r.runInReactor(async () => {
        await delay(2_000, undefined);
        return 'late';
      })();
      setTimeout(() => result.cancel(), 20);
      const started = performance.now();
      expect(thrownBy(() => result.wait(5_000))).to.be.instanceOf(CancelledError);
      expect(performance.now() - started).to.be.below(1_000);
    });

    it('ends the result with CancelledError even when the body honours the signal its own way', () => {
      let signal: AbortSignal | undefined;
      const result = r.runInReactor(
        () =>
          new Promise((_resolve, reject) => {
            signal = currentSignal();
            const timer = setTimeout(() => reject(new Error('not cancelled')), 5_000);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(new Error('driver: canceling statement due to user request'));
            });
          }),
      )();
      r.pumpFor(0);
      result.cancel();
      const error = thrownBy(() => result.wait(1_000));
      expect(error).to.be.instanceOf(CancelledError);
      expect((error as Error).cause).to.equal(signal?.reason);
      r.pumpFor(10);
      // The driver's error is the consequence of the cancel the caller asked for: not news.
      expect(r.reports).to.deep.equal([]);
    });

    it('aborts a signal the body asks for only after the cancel', () => {
      let signal: AbortSignal | undefined;
      let release: () => void = () => undefined;
      const result = r.runInReactor(async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        signal = currentSignal();
        return signal.aborted;
      })();
      r.pumpFor(0);
      result.cancel();
      release();
      expect(thrownBy(() => result.wait(1_000))).to.be.instanceOf(CancelledError);
      r.pumpFor(0);
      expect(signal?.aborted).to.equal(true);
    });

    it('means a body that has not started yet never runs; wait() throws the CancelledError', () => {
      let ran = false;
      const result = r.runInReactor(() => {
        ran = true;
        return 'ran';
      })();
      result.cancel();
      r.pumpFor(10);
      expect(ran).to.equal(false);
      const error = thrownBy(() => result.wait(1_000));
      expect(error).to.be.instanceOf(CancelledError);
      expect(result.originalError()).to.equal(error);
      expect(ran).to.equal(false);
      expect(r.controller.pendingCount).to.equal(0);
    });

    it('after the result settled changes nothing', () => {
      let signal: AbortSignal | undefined;
      const result = r.runInReactor(() => {
        signal = currentSignal();
        return 'done';
      })();
      expect(result.wait(1_000)).to.equal('done');
      result.cancel();
      expect(signal?.aborted).to.equal(false);
      expect(result.wait(1_000)).to.equal('done');
      expect(result.originalError()).to.equal(undefined);
    });

    it('twice is harmless and keeps the first reason and error', () => {
      let signal: AbortSignal | undefined;
      const result = r.runInReactor(async () => {
        signal = currentSignal();
        await delay(10, undefined);
        return 'v';
      })();
      r.pumpFor(0);
      result.cancel();
      const first: unknown = signal?.reason;
      const error = thrownBy(() => result.wait(1_000));
      result.cancel();
      expect(signal?.reason).to.equal(first);
      expect(thrownBy(() => result.wait(1_000))).to.equal(error);
    });
  });

  describe('originalError()', () => {
    it('is undefined while pending, without blocking', () => {
      const result = r.runInReactor(() => rejectLater(50, new Error('later')))();
      const started = performance.now();
      expect(result.originalError()).to.equal(undefined);
      r.pumpFor(0);
      expect(result.originalError()).to.equal(undefined);
      expect(performance.now() - started).to.be.below(40);
      expect(thrownBy(() => result.wait(1_000))).to.be.instanceOf(Error);
    });

    it('is undefined after success', () => {
      const result = r.runInReactor(() => 'fine')();
      expect(result.wait(1_000)).to.equal('fine');
      expect(result.originalError()).to.equal(undefined);
    });

    it('is the error itself after failure, with or without a wait() first', () => {
      const error = new Error('failed');
      const unwaited = r.runInReactor(() => Promise.reject(error))();
      r.pumpFor(0);
      expect(unwaited.originalError()).to.equal(error);
      expect(unwaited.originalError()).to.equal(error);

      const waited = r.runInReactor(() => Promise.reject(error))();
      expect(thrownBy(() => waited.wait(1_000))).to.equal(error);
      expect(waited.originalError()).to.equal(error);
    });

    it('is a non-Error rejection value itself', () => {
      const result = r.runInReactor(() => Promise.reject('plain string'))();
      r.pumpFor(0);
      expect(result.originalError()).to.equal('plain string');
    });
  });

  describe('stash() and retrieveResult()', () => {
    it('gives strictly increasing ids, also for the same result stashed twice', () => {
      const first = r.runInReactor(() => 1)();
      const second = r.runInReactor(() => 2)();
      const ids = [first.stash(), second.stash(), first.stash(), second.stash()];
      for (let i = 1; i < ids.length; i += 1) {
        expect(ids[i])
          .to.be.a('number')
          .and.greaterThan(ids[i - 1] as number);
        expect(Number.isInteger(ids[i])).to.equal(true);
      }
    });

    it('never reuses an id after it was retrieved', () => {
      const result = r.runInReactor(() => 1)();
      const id = result.stash();
      r.controller.retrieveResult(id);
      expect(result.stash()).to.be.greaterThan(id);
    });

    it('retrieveResult(id) gives back the identical result, once', () => {
      const value = { kept: true };
      const result = r.runInReactor(() => delay(5, value))();
      const id = result.stash();
      const retrieved = r.controller.retrieveResult(id);
      expect(retrieved).to.equal(result);
      expect(retrieved.wait(1_000)).to.equal(value);
      const error = thrownBy(() => r.controller.retrieveResult(id));
      expect(error).to.be.instanceOf(RangeError);
      expect((error as Error).message).to.equal(messages.unknownResultId(id));
      expect((error as Error).message).to.include(String(id));
    });

    it('retrieveResult() of an id never handed out throws a RangeError naming it', () => {
      for (const id of [987_654, 0, -1, 1.5]) {
        const error = thrownBy(() => r.controller.retrieveResult(id));
        expect(error).to.be.instanceOf(RangeError);
        expect((error as Error).message).to.equal(messages.unknownResultId(id));
        expect((error as Error).message).to.include(String(id));
      }
    });

    it('keeps ids per controller: another controller does not know them', () => {
      const id = r
        .runInReactor(() => 1)()
        .stash();
      const other = ownReactor();
      expect(() => other.controller.retrieveResult(id)).to.throw(
        RangeError,
        messages.unknownResultId(id),
      );
      expect(r.controller.retrieveResult(id).wait(1_000)).to.equal(1);
    });

    describe('through the package-level retrieveResult() (global reactor)', () => {
      afterEach(() => resetReactor());

      it('retrieves a result stashed on the global reactor, once', () => {
        noSetup();
        const result = globalRunInReactor(() => 'global')();
        const id = result.stash();
        const retrieved = retrieveResult(id);
        expect(retrieved).to.equal(result);
        expect(retrieved).to.be.instanceOf(EventualResult);
        expect(retrieved.wait(1_000)).to.equal('global');
        expect(() => retrieveResult(id)).to.throw(RangeError, messages.unknownResultId(id));
      });
    });
  });
});
