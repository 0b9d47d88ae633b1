/**
 * Types that describe what application code sees of a reactor-side object: every method that
 * returns `Promise<R>` (or `R`) becomes a blocking method returning `R`; methods named as
 * eventual return `EventualResult<R>`; results of methods named in a wrap map become facades.
 * Used by `facade()` (in-thread) and by hosted services (reactor thread).
 */
import type { EventualResult } from '../core/eventual-result';

/** Any function, for constraints. */
export type AnyFunction = (...args: never[]) => unknown;

/** The names of T's methods (own and inherited), excluding non-function properties. */
export type MethodKeys<T> = {
  [K in keyof T]-?: T[K] extends AnyFunction ? K : never;
}[keyof T];

/** A class whose instances are facades (anything constructible). */
export type FacadeConstructor = abstract new (...args: never[]) => object;

/** Which methods' results are wrapped in which facade class. */
export type WrapMap<T> = { readonly [K in MethodKeys<T>]?: FacadeConstructor };

/** A value after crossing to application code: wrapped in its facade where one is declared. */
export type Delivered<R, F> = F extends FacadeConstructor
  ? Extract<R, null | undefined> | InstanceType<F>
  : R;

/** The result type of method K as application code receives it. */
export type DeliveredResult<T, K extends keyof T, W> = T[K] extends (...args: never[]) => infer R
  ? Delivered<Awaited<R>, K extends keyof W ? W[K] : undefined>
  : never;

/**
 * What the EventualResult of eventual method K holds: its awaited result, or V for a method typed
 * `EventualResult<V>` (a `@runInReactor` method declared with `eventualBody()`), never nested.
 */
export type EventualDeliveredResult<T, K extends keyof T, W> = T[K] extends (
  ...args: never[]
) => infer R
  ? Delivered<
      R extends EventualResult<infer V> ? V : Awaited<R>,
      K extends keyof W ? W[K] : undefined
    >
  : never;

/**
 * The blocking view of T. `E` names the methods that return an EventualResult instead of
 * blocking; `W` maps method names to the facade classes their results are wrapped in.
 *
 * ```ts
 * type Rates = Blocking<RatesService, 'start'>;
 * // { start(): EventualResult<void>; latestValue(): number | undefined; ... }
 * ```
 */
export type Blocking<T, E extends MethodKeys<T> = never, W extends WrapMap<T> = object> = {
  [K in MethodKeys<T>]: T[K] extends (...args: infer P) => unknown
    ? K extends E
      ? (...args: P) => EventualResult<EventualDeliveredResult<T, K, W>>
      : (...args: P) => DeliveredResult<T, K, W>
    : never;
};
