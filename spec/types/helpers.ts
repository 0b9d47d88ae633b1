/**
 * Compile-time assertions for the type specs. Nothing here runs: spec/types is only type-checked
 * (`npm run typecheck:types`, noEmit).
 */

/** True when A and B are the same type (not merely assignable to each other). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** True when A is assignable to B. */
export type Extends<A, B> = [A] extends [B] ? true : false;

/** Fails to compile unless its type argument is `true`: `assert<Equal<X, Y>>()`. */
export function assert<T extends true>(): T | void {}

/** Fails to compile unless `value` has exactly type T (not a subtype, not a supertype). */
export function expectType<T>() {
  return <V>(_value: V & ([Equal<V, T>] extends [true] ? unknown : never)): void => undefined;
}
