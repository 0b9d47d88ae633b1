/**
 * Types of blockingBody() / eventualBody(): a method declared with its callers' type returns its
 * async body through the helper, and callers see exactly the declared type.
 */
import { blockingBody, EventualResult, eventualBody, runInReactor, waitFor } from '../../lib/index';
import { assert, expectType, type Equal } from './helpers';

declare function acceptString(value: string): void;
declare function fetchRate(pair: string): Promise<{ value: number }>;

class Rates {
  @waitFor(1_000)
  latest(pair: string): number {
    return blockingBody(async () => (await fetchRate(pair)).value);
  }

  @runInReactor
  refresh(): EventualResult<void> {
    return eventualBody(async () => {
      await fetchRate('any');
    });
  }

  @runInReactor
  pairs(): EventualResult<string[]> {
    return eventualBody(() => ['EURUSD']);
  }

  @waitFor(1_000)
  wrongBlocking(): string {
    // @ts-expect-error -- the body gives a number, but the method is declared to return a string
    return blockingBody(async () => 1);
  }

  @runInReactor
  wrongEventual(): EventualResult<string> {
    // @ts-expect-error -- the body gives a number, but callers are promised EventualResult<string>
    return eventualBody(async () => 1);
  }

  @waitFor(1_000)
  mixedUp(): number {
    // @ts-expect-error -- eventualBody() gives an EventualResult, not the number
    return eventualBody(async () => 1);
  }
}

const rates = new Rates();
expectType<number>()(rates.latest('EURUSD'));
expectType<EventualResult<void>>()(rates.refresh());
expectType<string[]>()(rates.pairs().wait(100));
assert<Equal<ReturnType<Rates['latest']>, number>>();
assert<Equal<Parameters<Rates['latest']>, [pair: string]>>();

// @ts-expect-error -- callers get a number, not a string
acceptString(rates.latest('EURUSD'));
// @ts-expect-error -- the argument is a string
rates.latest(42);
// @ts-expect-error -- refresh() returns an EventualResult, not a value to use directly
expectType<void>()(rates.refresh());

// The helpers infer T from the body: a promise, a thenable or a plain value.
declare const flagLater: PromiseLike<boolean>;
expectType<number>()(blockingBody(async () => 1));
expectType<boolean>()(blockingBody(() => flagLater));
expectType<string>()(blockingBody(() => 'plain'));
expectType<EventualResult<number>>()(eventualBody(async () => 1));
expectType<EventualResult<boolean>>()(eventualBody(() => flagLater));

// @ts-expect-error -- the body must be a function
blockingBody(42);
// @ts-expect-error -- the body must be a function
eventualBody(Promise.resolve(1));

// The function forms: a body declared with a helper gives the declared type, not a nested one.
const eventualFn = runInReactor((x: number): EventualResult<number> => eventualBody(async () => x));
expectType<EventualResult<number>>()(eventualFn(1));
const blockingFn = waitFor(10)((x: number): number => blockingBody(async () => x));
expectType<number>()(blockingFn(1));
