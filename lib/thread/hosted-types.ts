/**
 * The types of hosted facades: what `create()`, `functions()`, `expose()` and results declared
 * `remote` give application code, derived from the hosted object's own type.
 */
import type { AnyFunction, Blocking, MethodKeys, WrapMap } from '../facade/blocking-types';
import type { ExportInfo } from './transport/protocol';

/** The awaited result of method K of T. */
type ResultOf<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R
  ? Awaited<R>
  : never;

/**
 * How the facade of a hosted object calls its methods.
 *
 * @typeParam T - The hosted object's type.
 * @typeParam E - The methods listed in `eventual`.
 * @typeParam R - The `remote` map.
 */
export interface RemoteOptions<
  T,
  E extends MethodKeys<T> = never,
  R extends RemoteMap<T> = object,
> {
  /**
   * Limit for blocking methods without their own, in ms. A method decorated with `@waitFor(ms)`
   * in the service uses its `ms`. Without any limit a call waits until it settles, the thread
   * stops or fails, or nothing in the thread can settle it.
   */
  readonly timeoutMs?: number;
  /** Methods that return an EventualResult (a `@runInReactor` method must be listed). */
  readonly eventual?: readonly E[];
  /** Per-method limits, in ms (win over the decorator's and `timeoutMs`). */
  readonly timeouts?: { readonly [K in MethodKeys<T>]?: number };
  /**
   * Methods whose result stays in the reactor thread and comes back as a remote facade (a
   * pooled connection, a transaction): `true` (its methods block with this facade's
   * `timeoutMs`) or the options of that facade. Every other result crosses by value.
   */
  readonly remote?: R;
}

/** The options of the facade of a result declared remote. */
export interface RemoteResultOptions<T> {
  /** Limit for its blocking methods without their own, in ms. */
  readonly timeoutMs?: number;
  /** Its methods that return an EventualResult. */
  readonly eventual?: readonly MethodKeys<T>[];
  /** Its per-method limits, in ms. */
  readonly timeouts?: { readonly [K in MethodKeys<T>]?: number };
  /** Its methods whose results are remote in turn. */
  readonly remote?: RemoteMap<T>;
}

/**
 * Which methods' results are remote (see {@link RemoteOptions.remote}): only methods whose
 * result is an object can be named.
 */
export type RemoteMap<T> = {
  readonly [K in MethodKeys<T> as NonNullable<ResultOf<T, K>> extends object ? K : never]?:
    true | RemoteResultOptions<NonNullable<ResultOf<T, K>>>;
};

/** The `eventual` methods of remote-result options O (none for `true`). */
type EventualOf<O> = O extends { readonly eventual: readonly (infer E)[] } ? E : never;

/** The `remote` map of remote-result options O (none for `true`). */
type RemoteOf<O> = O extends { readonly remote: infer M } ? M : object;

/** The facade type of a result declared remote with options O (`true` or its options). */
type RemoteResult<X, O> = Hosted<X, EventualOf<O> & MethodKeys<X>, RemoteOf<O>>;

/** The `remote` map as facade classes, for {@link Blocking}'s wrap parameter. */
type RemoteWrap<T, R> = {
  readonly [K in keyof R & MethodKeys<T>]: abstract new () => RemoteResult<
    NonNullable<ResultOf<T, K>>,
    R[K]
  >;
};

/**
 * The facade of a hosted `T`: the blocking view of T (`Blocking<T, E>`), where the methods in the
 * remote map `R` return remote facades of their results.
 */
export type Hosted<T, E extends MethodKeys<T> = never, R = object> =
  RemoteWrap<T, R> extends infer W extends WrapMap<T> ? Blocking<T, E, W> : never;

/** Type helper: the facade type of a hosted `T` (same as the in-thread `Blocking<T, E>`). */
export type Remote<T, E extends MethodKeys<T> = never> = Blocking<T, E>;

/** The functions a module exports (what `functions()` hosts), classes left out. */
export type FunctionsOf<M> = {
  [K in keyof M as M[K] extends AnyFunction ? K : never]: M[K];
};

type ClassKeys<M> = {
  [K in keyof M]: M[K] extends abstract new (...args: never[]) => object ? K : never;
}[keyof M] &
  string;
type InstanceOf<C> = C extends abstract new (...args: never[]) => infer I ? I : never;
type ArgsOf<C> = C extends abstract new (...args: infer P) => unknown ? P : never;

/**
 * What `load(path)` without a type argument assumes of the module: any export may be a class,
 * constructed with any arguments, whose instances have any methods. `create()` then takes any
 * export name and arguments, and its facade's methods take anything and return `unknown`. Give
 * the module's type (`load<typeof import('./m')>(path)`) for real types.
 */
export interface UntypedModule {
  readonly [exportName: string]: new (...args: unknown[]) => UntypedService;
}

/** An instance of a class of an {@link UntypedModule}: methods of any name and signature. */
export interface UntypedService {
  [method: string]: (...args: unknown[]) => unknown;
}

/**
 * A service module loaded in a reactor thread: create its exported classes there, or call its
 * exported functions.
 */
export interface HostedModule<M = UntypedModule> {
  /** The module path as given to load(). */
  readonly path: string;
  /** The exported classes, with their methods and decorator metadata. */
  readonly exports: readonly ExportInfo[];
  /**
   * Constructs `new M[name](...args)` in the reactor thread and returns a blocking facade of it.
   * Blocks until the constructor returns; a constructor that throws throws here (same class).
   * `options`: timeouts, the eventual methods (a `@runInReactor` method must be listed), the
   * methods whose results are `remote`, and how the service is closed when the thread stops
   * (`dispose`: a method name, or `false`; default `Symbol.asyncDispose`/`Symbol.dispose` when
   * it has one; within `disposeTimeoutMs`, default 1 000).
   *
   * Context: like `load()`: any context on the thread that loaded the module.
   */
  create<
    K extends ClassKeys<M>,
    E extends MethodKeys<InstanceOf<M[K]>> = never,
    const R extends RemoteMap<InstanceOf<M[K]>> = object,
  >(
    name: K,
    args: ArgsOf<M[K]>,
    options?: CreateOptions<InstanceOf<M[K]>, E, R>,
  ): Hosted<InstanceOf<M[K]>, E, R>;
  /**
   * The module's exported functions as blocking functions run in the reactor thread
   * (`load<typeof import('prettier')>('prettier').functions()`: a synchronous Prettier).
   * Results cross by value unless declared `remote`. Throws ReactorThreadError
   * ('unknown-export') for a module that exports no functions.
   *
   * Context: like `load()`.
   */
  functions<
    E extends MethodKeys<FunctionsOf<M>> = never,
    const R extends RemoteMap<FunctionsOf<M>> = object,
  >(
    options?: RemoteOptions<FunctionsOf<M>, E, R>,
  ): Hosted<FunctionsOf<M>, E, R>;
}

/** The options of `create()`: the facade's, and how the service is disposed at shutdown. */
export interface CreateOptions<
  T,
  E extends MethodKeys<T> = never,
  R extends RemoteMap<T> = object,
> extends RemoteOptions<T, E, R> {
  /**
   * The method that closes the service when the thread stops (run in the thread, awaited), or
   * `false` for none. Default: `Symbol.asyncDispose` or `Symbol.dispose` when it has one.
   */
  readonly dispose?: MethodKeys<T> | false;
  /** How long disposing it may take before it is reported and left, in ms (default 1 000). */
  readonly disposeTimeoutMs?: number;
}
