/**
 * What a reactor-bound call delivers: every kind of body result (plain value, promise, thenable,
 * async function) reaches the caller as the value itself, and every kind of failure reaches it
 * as exactly the thrown or rejected value (same object, same class), for both `@waitFor` and
 * `@runInReactor` + `wait()`.
 */
import { expect } from 'chai';
import { EventualResult } from '../../lib/index';
import {
  delay,
  insideMicrotask,
  ownReactor,
  rejectLater,
  thrownBy,
  type OwnReactor,
} from '../helpers/own-reactor';

type Body = () => unknown;

interface Caller {
  readonly name: string;
  call(r: OwnReactor, body: Body): unknown;
}

const callers: Caller[] = [
  { name: 'waitFor(ms)(fn)', call: (r, body) => r.waitFor(5_000)(body)() },
  {
    name: 'runInReactor(fn)().wait(ms)',
    call: (r, body) => {
      const result = r.runInReactor(body)();
      expect(result).to.be.instanceOf(EventualResult);
      return result.wait(5_000);
    },
  },
];

interface Thenable {
  then(onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void): void;
}

class CustomError extends Error {
  override name = 'CustomError';
  readonly extra = 'kept';
}

/** Each case builds the body (given the value to deliver) with the reactor it will run on. */
const valueCases: { name: string; make(r: OwnReactor, value: unknown): Body }[] = [
  { name: 'a plain return value', make: (_r, value) => () => value },
  { name: 'a promise resolved in the body', make: (_r, value) => () => Promise.resolve(value) },
  {
    name: 'a promise that settled before the call',
    make: (r, value) => {
      const early = delay(1, value);
      r.pumpFor(10);
      return () => early;
    },
  },
  { name: 'a promise settling later on a timer', make: (_r, value) => () => delay(20, value) },
  {
    name: 'a thenable (not a Promise) settling later',
    make: (_r, value) => () =>
      ({ then: (onFulfilled) => void setTimeout(() => onFulfilled(value), 5) }) as Thenable,
  },
  {
    name: 'a thenable that settles synchronously inside then()',
    make: (_r, value) => () => ({ then: (onFulfilled) => onFulfilled(value) }) as Thenable,
  },
  {
    name: 'an async function that awaits a timer',
    make: (_r, value) => async () => {
      await delay(5, undefined);
      return value;
    },
  },
  {
    name: 'a promise resolved with a thenable',
    make: (_r, value) => () =>
      Promise.resolve({ then: (onFulfilled) => onFulfilled(value) } as Thenable),
  },
];

const errorCases: { name: string; make(r: OwnReactor, error: unknown): Body }[] = [
  {
    name: 'a synchronous throw',
    make: (_r, error) => () => {
      throw error;
    },
  },
  { name: 'a rejected promise', make: (_r, error) => () => Promise.reject(error) },
  {
    name: 'a promise that was rejected before the call',
    make: (r, error) => {
      const early = rejectLater(1, error);
      early.catch(() => undefined);
      r.pumpFor(10);
      return () => early;
    },
  },
  { name: 'a rejection later on a timer', make: (_r, error) => () => rejectLater(20, error) },
  {
    name: 'an async function that throws after an await',
    make: (_r, error) => async () => {
      await delay(5, undefined);
      throw error;
    },
  },
  {
    name: 'a thenable that rejects',
    make: (_r, error) => () =>
      ({
        then: (_onFulfilled, onRejected) => void setTimeout(() => onRejected(error), 5),
      }) as Thenable,
  },
  {
    name: 'a thenable whose then() throws',
    make: (_r, error) => () =>
      ({
        then: () => {
          throw error;
        },
      }) as Thenable,
  },
  {
    name: 'a result whose `then` getter throws',
    make: (_r, error) => () => ({
      get then(): never {
        throw error;
      },
    }),
  },
];

const failures: { name: string; make(): unknown; check?(caught: unknown): void }[] = [
  { name: 'an Error', make: () => new Error('boom') },
  {
    name: 'an Error subclass with extra properties',
    make: () => new CustomError('custom'),
    check: (caught) => {
      expect(caught).to.be.instanceOf(CustomError);
      expect((caught as CustomError).extra).to.equal('kept');
    },
  },
  { name: 'a string', make: () => 'just a string' },
  { name: 'undefined', make: () => undefined },
  { name: 'null', make: () => null },
  { name: 'a plain object', make: () => ({ code: 42 }) },
];

describe('values and errors delivered to the caller', () => {
  it('runs these specs from synchronous context (not inside a microtask)', () => {
    expect(insideMicrotask()).to.equal(false);
  });

  for (const caller of callers) {
    describe(`through ${caller.name}`, () => {
      let r: OwnReactor;
      beforeEach(() => {
        r = ownReactor();
      });

      for (const valueCase of valueCases) {
        it(`delivers ${valueCase.name} as the value itself`, () => {
          const value = { identity: Symbol('value') };
          const body = valueCase.make(r, value);
          expect(caller.call(r, body)).to.equal(value);
        });
      }

      it('delivers primitive values unchanged (0, "", false, undefined, null)', () => {
        for (const value of [0, '', false, undefined, null, 12.5, 'text']) {
          expect(caller.call(r, () => Promise.resolve(value))).to.equal(value);
          expect(caller.call(r, () => value)).to.equal(value);
        }
      });

      for (const errorCase of errorCases) {
        for (const failure of failures) {
          it(`throws exactly the value of ${errorCase.name} with ${failure.name}`, () => {
            const error = failure.make();
            const body = errorCase.make(r, error);
            const caught = thrownBy(() => caller.call(r, body));
            expect(caught).to.equal(error);
            failure.check?.(caught);
          });
        }
      }

      it('does not report a failure the caller received', () => {
        const error = new Error('seen');
        expect(thrownBy(() => caller.call(r, () => rejectLater(5, error)))).to.equal(error);
        r.pumpFor(10);
        expect(r.reports).to.deep.equal([]);
      });
    });
  }

  describe('decorated async methods', () => {
    const r = ownReactor();
    class Doubler {
      constructor(private readonly factor: number) {}

      @r.waitFor(5_000)
      async times(x: number): Promise<number> {
        await delay(5, undefined);
        return x * this.factor;
      }

      @r.runInReactor
      async timesLater(x: number): Promise<number> {
        await delay(5, undefined);
        return x * this.factor;
      }

      @r.waitFor(5_000)
      async refuse(reason: unknown): Promise<never> {
        await delay(1, undefined);
        throw reason;
      }
    }

    it('@waitFor gives the caller the awaited value, not a promise', () => {
      const result: unknown = new Doubler(3).times(7);
      expect(result).to.equal(21);
    });

    it('@runInReactor gives an EventualResult whose wait() returns the awaited value', () => {
      const result = new Doubler(4).timesLater(5) as unknown as EventualResult<number>;
      expect(result).to.be.instanceOf(EventualResult);
      expect(result.wait(5_000)).to.equal(20);
    });

    it('@waitFor rethrows exactly what the async method threw', () => {
      const reason = new CustomError('refused');
      expect(thrownBy(() => new Doubler(1).refuse(reason))).to.equal(reason);
      expect(thrownBy(() => new Doubler(1).refuse('a string'))).to.equal('a string');
      expect(thrownBy(() => new Doubler(1).refuse(undefined))).to.equal(undefined);
    });
  });
});
