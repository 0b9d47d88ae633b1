/**
 * Types of Blocking<T, E, W>: the application-side view of a reactor-side class.
 */
import type { EventualResult } from '../../lib/index';
import type { Blocking } from '../../lib/facade/blocking-types';
import { assert, expectType, type Equal } from './helpers';

declare function acceptString(value: string): void;

declare class Connection {
  read(): Promise<string>;
}
declare class ConnectionFacade {
  constructor(connection: Connection);
  read(): string;
}

declare class RatesService {
  readonly label: string;
  retries: number;
  start(): Promise<void>;
  latest(pair: string, scale?: number): Promise<number>;
  count(): number;
  open(name: string): Promise<Connection | undefined>;
  openNow(): Connection;
}

type Rates = Blocking<RatesService, 'start'>;

// Methods only: fields are not part of the blocking view.
assert<Equal<keyof Rates, 'start' | 'latest' | 'count' | 'open' | 'openNow'>>();
// Methods named as eventual return an EventualResult of the awaited result.
assert<Equal<Rates['start'], () => EventualResult<void>>>();
// The others block and return the awaited result; parameters are kept (optional ones too).
assert<Equal<Rates['latest'], (pair: string, scale?: number) => number>>();
assert<Equal<Rates['count'], () => number>>();
assert<Equal<Rates['open'], (name: string) => Connection | undefined>>();

// With nothing eventual, every method blocks.
assert<Equal<Blocking<RatesService>['start'], () => void>>();
// Several eventual methods.
type TwoEventual = Blocking<RatesService, 'start' | 'latest'>;
assert<Equal<TwoEventual['latest'], (pair: string, scale?: number) => EventualResult<number>>>();

// A wrap map turns results into facades, keeping null/undefined.
type Wrapped = Blocking<
  RatesService,
  'open',
  { open: typeof ConnectionFacade; openNow: typeof ConnectionFacade }
>;
assert<Equal<Wrapped['open'], (name: string) => EventualResult<ConnectionFacade | undefined>>>();
assert<Equal<Wrapped['openNow'], () => ConnectionFacade>>();
assert<Equal<Wrapped['latest'], (pair: string, scale?: number) => number>>();

declare const rates: Rates;
expectType<number>()(rates.latest('EURUSD'));
expectType<number>()(rates.latest('EURUSD', 2));
expectType<EventualResult<void>>()(rates.start());

// @ts-expect-error -- the argument is a string
rates.latest(1);
// @ts-expect-error -- callers get a number, not a string
acceptString(rates.latest('EURUSD'));
// @ts-expect-error -- start() is eventual: it returns an EventualResult, not void
expectType<void>()(rates.start());
// @ts-expect-error -- fields are not in the blocking view
void rates.label;

// @ts-expect-error -- only methods can be named as eventual
export type FieldAsEventual = Blocking<RatesService, 'label'>;
// @ts-expect-error -- only existing methods can be named as eventual
export type UnknownEventual = Blocking<RatesService, 'stop'>;
// @ts-expect-error -- a wrap map names methods and facade classes
export type BadWrap = Blocking<RatesService, never, { open: string }>;
