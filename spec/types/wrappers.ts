/**
 * Types of the function forms and decorators: `runInReactor(fn)` and `waitFor(ms)(fn)` keep the
 * parameters and `this` of `fn` and change only the result; `unwrap()` gives back the original.
 */
import {
  EventualResult,
  runInReactor,
  unwrap,
  waitFor,
  type BlockingFunction,
  type EventualFunction,
} from '../../lib/index';
import { assert, expectType, type Equal } from './helpers';

declare function acceptString(value: string): void;
declare function fetchRate(pair: string, scale: number): Promise<number>;
declare function countSync(text: string): number;
declare function thenableFlag(): PromiseLike<boolean>;
declare function nestedPromise(): Promise<Promise<Date>>;
declare function noResult(): Promise<void>;

// ---- runInReactor(fn): (...args: P) => EventualResult<Awaited<R>>

const eventualRate = runInReactor(fetchRate);
assert<Equal<Parameters<typeof eventualRate>, [pair: string, scale: number]>>();
assert<Equal<ReturnType<typeof eventualRate>, EventualResult<number>>>();
assert<Equal<typeof eventualRate, EventualFunction<unknown, [string, number], Promise<number>>>>();
expectType<EventualResult<number>>()(eventualRate('EURUSD', 2));
expectType<number>()(eventualRate('EURUSD', 2).wait(100));
expectType<unknown>()(eventualRate('EURUSD', 2).originalError());
expectType<number>()(eventualRate('EURUSD', 2).stash());
expectType<EventualResult<number>>()(runInReactor(countSync)('text'));
expectType<EventualResult<boolean>>()(runInReactor(thenableFlag)());
expectType<EventualResult<Date>>()(runInReactor(nestedPromise)());
expectType<EventualResult<void>>()(runInReactor(noResult)());
expectType<EventualResult<string>>()(
  runInReactor(async (a: number, ...rest: string[]) => rest[a] ?? '')(1, 'a', 'b'),
);

// @ts-expect-error -- the first argument is a string
eventualRate(1, 2);
// @ts-expect-error -- an argument is missing
eventualRate('EURUSD');
// @ts-expect-error -- too many arguments
eventualRate('EURUSD', 1, true);
// @ts-expect-error -- the call returns an EventualResult, not the number
expectType<number>()(eventualRate('EURUSD', 2));
// @ts-expect-error -- wait() gives a number, not a string
acceptString(eventualRate('EURUSD', 2).wait(100));

// ---- waitFor(ms)(fn): (...args: P) => Awaited<R>

const blockingRate = waitFor(1_000)(fetchRate);
assert<Equal<Parameters<typeof blockingRate>, [pair: string, scale: number]>>();
assert<Equal<ReturnType<typeof blockingRate>, number>>();
assert<Equal<typeof blockingRate, BlockingFunction<unknown, [string, number], Promise<number>>>>();
expectType<number>()(blockingRate('EURUSD', 2));
expectType<number>()(waitFor(10)(countSync)('text'));
expectType<boolean>()(waitFor(10)(thenableFlag)());
expectType<Date>()(waitFor(10)(nestedPromise)());
expectType<void>()(waitFor(10)(noResult)());

// @ts-expect-error -- the second argument is a number
blockingRate('EURUSD', '2');
// @ts-expect-error -- the caller gets a number, not a promise
expectType<Promise<number>>()(blockingRate('EURUSD', 2));
// @ts-expect-error -- the caller gets a number, not a string
acceptString(blockingRate('EURUSD', 2));

// ---- `this` is kept

interface Account {
  balance: number;
}
declare function deposit(this: Account, amount: number): Promise<number>;

const blockingDeposit = waitFor(10)(deposit);
const eventualDeposit = runInReactor(deposit);
assert<Equal<ThisParameterType<typeof blockingDeposit>, Account>>();
assert<Equal<ThisParameterType<typeof eventualDeposit>, Account>>();
const account = { balance: 1, deposit: blockingDeposit, later: eventualDeposit };
expectType<number>()(account.deposit(5));
expectType<EventualResult<number>>()(account.later(5));
expectType<number>()(blockingDeposit.call({ balance: 2 }, 5));

// @ts-expect-error -- called without an Account as `this`
blockingDeposit(5);
// @ts-expect-error -- called without an Account as `this`
eventualDeposit(5);
// @ts-expect-error -- `this` is not an Account
blockingDeposit.call({ balance: 'none' }, 5);

// ---- unwrap() gives back the original type

const originalRate = unwrap(waitFor(1)(fetchRate));
assert<Equal<typeof originalRate, typeof fetchRate>>();
expectType<Promise<number>>()(originalRate('EURUSD', 1));
assert<Equal<typeof originalRate, ReturnType<typeof unwrap<typeof fetchRate>>>>();
expectType<typeof fetchRate>()(unwrap(runInReactor(fetchRate)));
const originalDeposit = unwrap(blockingDeposit);
assert<Equal<ThisParameterType<typeof originalDeposit>, Account>>();
assert<Equal<ReturnType<typeof originalDeposit>, Promise<number>>>();
expectType<Promise<number>>()(originalDeposit.call({ balance: 1 }, 2));

// @ts-expect-error -- the original is async: its result is a promise, not the number
expectType<number>()(originalRate('EURUSD', 1));
// @ts-expect-error -- unwrap() needs a function
unwrap(42);

// ---- decorators apply to methods; a decorated method keeps its declared type

class Service {
  @waitFor(10)
  ping(times: number): string {
    return 'pong'.repeat(times);
  }

  @runInReactor
  start(): void {}

  @waitFor(10)
  static make(): Service {
    return new Service();
  }

  @waitFor(10)
  async declaredAsync(): Promise<number> {
    return 1;
  }
}
expectType<string>()(new Service().ping(2));
expectType<Service>()(Service.make());
// A decorator cannot change a method's type: hence blockingBody() (see declared-body.ts).
expectType<Promise<number>>()(new Service().declaredAsync());
expectType<(times: number) => string>()(unwrap(Service.prototype.ping));

// @ts-expect-error -- the argument is a number
new Service().ping('2');

class FieldDecorated {
  // @ts-expect-error -- @waitFor decorates methods, not fields
  @waitFor(10)
  field = 1;
}
export { FieldDecorated };

// @ts-expect-error -- the timeout is a number of milliseconds
waitFor('10');
// @ts-expect-error -- runInReactor is written without parentheses
runInReactor();
// @ts-expect-error -- runInReactor wraps a function
runInReactor(42);
