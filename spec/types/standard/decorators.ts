/**
 * Types of the decorators under standard (TC39) decorators, what TypeScript 5+ applies without
 * `experimentalDecorators`: the same signatures accept methods (instance and static), refuse
 * other members, and keep typing decorated methods, blockingBody() and eventualBody() as under
 * legacy decorators (spec/types/declared-body.ts, spec/types/wrappers.ts).
 */
import {
  blockingBody,
  EventualResult,
  eventualBody,
  facade,
  runInReactor,
  unwrap,
  waitFor,
} from '../../../lib/index';
import { assert, expectType, type Equal } from '../helpers';

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

  @waitFor(1_000)
  async declaredAsync(scale: number): Promise<number> {
    return scale;
  }

  @runInReactor
  async background(): Promise<string> {
    return 'bg';
  }

  @waitFor(250)
  static create(label: string): Rates {
    void label;
    return new Rates();
  }

  @runInReactor
  static warmUp(): void {}

  @waitFor(1_000)
  wrongBlocking(): string {
    // @ts-expect-error -- the body gives a number, but the method is declared to return a string
    return blockingBody(async () => 1);
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
expectType<Rates>()(Rates.create('x'));
assert<Equal<Parameters<Rates['latest']>, [pair: string]>>();
// A decorator cannot change a method's type: hence blockingBody() (or a facade).
expectType<Promise<number>>()(rates.declaredAsync(1));
expectType<(pair: string) => number>()(unwrap(Rates.prototype.latest));

// @ts-expect-error -- callers get a number, not a string
acceptString(rates.latest('EURUSD'));
// @ts-expect-error -- the argument is a string
rates.latest(42);

// A facade over the class: its types are derived, eventual methods named.
const RatesFacade = facade(Rates, { timeoutMs: 100, eventual: ['refresh', 'background'] });
const blocking = new RatesFacade(new Rates());
expectType<number>()(blocking.declaredAsync(2));
expectType<EventualResult<string>>()(blocking.background());

// The function forms are unchanged.
expectType<number>()(waitFor(10)(async (x: number) => x)(1));
expectType<EventualResult<number>>()(runInReactor(async (x: number) => x)(1));

// Only methods can be decorated.
export class Misused {
  // @ts-expect-error -- @waitFor decorates methods, not fields
  @waitFor(10)
  field = 1;

  // @ts-expect-error -- nor fields holding a function (wrap the function instead)
  @runInReactor
  arrow = async (): Promise<number> => 1;

  // @ts-expect-error -- nor getters
  @waitFor(10)
  get value(): number {
    return 1;
  }

  // @ts-expect-error -- nor setters
  @runInReactor
  set value(_v: number) {}

  // @ts-expect-error -- nor auto-accessors
  @waitFor(10)
  accessor count = 0;
}

// @ts-expect-error -- nor classes
@runInReactor
export class WholeClass {}

// The README's opening example compiles under standard decorators too.
export { readmeIntro } from '../readme-intro';
