/**
 * `@waitFor(ms)` and `@runInReactor`, as method decorators (legacy `experimentalDecorators` and
 * standard TC39 decorators alike, see decorator-modes.ts) and as plain function wrappers. All
 * route every call through one controller's `invoke`, which is the only place a reactor-bound
 * call is made (facades use it too).
 */
import type { AnyFunction } from '../facade/blocking-types';
import type { ReactorMethodKind } from '../core/call-context';
import type { EventualResult } from '../core/eventual-result';
import { decorateStandard, isClass, isStandardContext, legacyMember } from './decorator-modes';
import { messages } from '../messages';
import { registerReactorMethod } from './reactor-methods';
import { checkTimeout } from './timeout-arg';

declare const originalFunction: unique symbol;
/** Type-only link from a wrapper back to the function it wraps, for `unwrap()`. */
export interface WrapsOriginal<F> {
  /** Type-only (never set at run time): the type of the function `unwrap()` gives back. */
  readonly [originalFunction]?: F;
}

/** What `waitFor(ms)(fn)` returns: same `this` and parameters, the awaited result. */
export type BlockingFunction<This, P extends unknown[], R> = ((
  this: This,
  ...args: P
) => Awaited<R>) &
  WrapsOriginal<(this: This, ...args: P) => R>;

/** What `runInReactor(fn)` returns: same `this` and parameters, an EventualResult. */
export type EventualFunction<This, P extends unknown[], R> = ((
  this: This,
  ...args: P
) => EventualResult<EventualValue<R>>) &
  WrapsOriginal<(this: This, ...args: P) => R>;

/**
 * What the EventualResult of a body returning R holds: the awaited R, or T when the body is
 * declared with `eventualBody()` (typed `EventualResult<T>`, run by the wrapper).
 */
export type EventualValue<R> = R extends EventualResult<infer T> ? T : Awaited<R>;

/** A legacy method decorator (instance or static). */
export type MethodDecorator = (
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
) => void;

/**
 * Any method of `This`, for the standard decorator signatures. Declared as a method so that its
 * parameters are compared bivariantly: `(pair: string) => number` is one.
 */
export type AnyMethod<This> = { method(this: This, ...args: unknown[]): unknown }['method'];

/** `waitFor(ms)`: decorates a method (legacy or standard decorators), or wraps a function. */
export interface WaitForDecorator extends MethodDecorator {
  // A standard decorator is also matched against signatures of one parameter, so the function
  // form has a second one that no decorator can fill: otherwise it would accept a getter.
  /**
   * As a standard (TC39) method decorator: the method, reactor-bound.
   *
   * @typeParam This - The class instance (or the class, for a static method).
   * @typeParam F - The method's type, kept as it is.
   */
  <This, F extends AnyMethod<This>>(method: F, context: ClassMethodDecoratorContext<This, F>): F;
  /**
   * The function form, `waitFor(ms)(fn)`: a blocking wrapper of `fn`.
   *
   * @typeParam This - `this` inside `fn`.
   * @typeParam P - `fn`'s parameters.
   * @typeParam R - What `fn` returns; the wrapper returns it awaited.
   */
  <This, P extends unknown[], R>(
    fn: (this: This, ...args: P) => R,
    notAsDecorator?: never,
  ): BlockingFunction<This, P, R>;
}

/** `runInReactor`: decorates a method (`@runInReactor`, legacy or standard), or wraps a function. */
export interface RunInReactorDecorator extends MethodDecorator {
  // A standard decorator is also matched against signatures of one parameter, so the function
  // form has a second one that no decorator can fill: otherwise it would accept a getter.
  /**
   * As a standard (TC39) method decorator: the method, reactor-bound.
   *
   * @typeParam This - The class instance (or the class, for a static method).
   * @typeParam F - The method's type, kept as it is.
   */
  <This, F extends AnyMethod<This>>(method: F, context: ClassMethodDecoratorContext<This, F>): F;
  /**
   * The function form, `runInReactor(fn)`: a wrapper of `fn` that returns an EventualResult.
   *
   * @typeParam This - `this` inside `fn`.
   * @typeParam P - `fn`'s parameters.
   * @typeParam R - What `fn` returns; the EventualResult holds it awaited.
   */
  <This, P extends unknown[], R>(
    fn: (this: This, ...args: P) => R,
    notAsDecorator?: never,
  ): EventualFunction<This, P, R>;
}

/** The one entry point for reactor-bound calls (implemented by ReactorController). */
export interface Invoker {
  /** Makes one reactor-bound call; see `ReactorController.invoke()`. */
  invoke(
    kind: ReactorMethodKind,
    fn: (...args: unknown[]) => unknown,
    thisArg: unknown,
    args: unknown[],
    timeoutMs: number,
    what: string,
  ): unknown;
}

const originals = new WeakMap<object, AnyFunction>();

/**
 * The function a decorated method or a wrapped function runs on the reactor: the very same
 * object that was decorated. Use it to test the async layer directly with `await`.
 */
export function unwrap<F>(fn: WrapsOriginal<F> & AnyFunction): F;
export function unwrap<F extends AnyFunction>(fn: F): F;
export function unwrap(fn: unknown): unknown {
  const original = typeof fn === 'function' ? originals.get(fn) : undefined;
  if (original === undefined) throw new TypeError(messages.notWrapped(fn));
  return original;
}

/** The original of a reactor-bound wrapper, or undefined for any other function. */
export function originalOf(fn: AnyFunction): AnyFunction | undefined {
  return originals.get(fn);
}

/**
 * Builds the reactor-bound replacement of `fn`. It keeps `name` and `length`; `this` and every
 * argument are passed through at call time.
 */
export function bindToReactor(
  invoker: Invoker,
  kind: ReactorMethodKind,
  fn: (...args: unknown[]) => unknown,
  timeoutMs: number,
  what: string,
): (...args: unknown[]) => unknown {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    return invoker.invoke(kind, fn, this, args, timeoutMs, what);
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  originals.set(wrapper, fn);
  return wrapper;
}

function describeMethod(target: object, key: string | symbol): string {
  const isStatic = typeof target === 'function';
  const owner = isStatic ? target : (target as { constructor: { name: string } }).constructor;
  const className = (owner as { name?: string }).name || '<anonymous class>';
  return `${className}${isStatic ? '.' : '.prototype.'}${String(key)}()`;
}

function decorate(
  invoker: Invoker,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
  decoratorName: string,
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): void {
  if (descriptor === undefined || typeof descriptor.value !== 'function') {
    const member = legacyMember(descriptor);
    throw new TypeError(
      messages.notAMethod(decoratorName, 'legacy', key, member, descriptor?.value),
    );
  }
  const fn = descriptor.value as (...args: unknown[]) => unknown;
  descriptor.value = bindToReactor(
    invoker,
    kind,
    fn,
    timeoutMs ?? 0,
    `${decoratorName} method ${describeMethod(target, key)}`,
  );
  registerReactorMethod(target, key, kind, timeoutMs);
}

function wrapFunction(
  invoker: Invoker,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
  wrapperName: string,
  fn: unknown,
): unknown {
  if (typeof fn !== 'function') throw new TypeError(messages.notAFunction(fn, wrapperName));
  if (isClass(fn)) {
    const decorator = `@${wrapperName.replace(/\(\)$/, '')}`;
    throw new TypeError(
      messages.notAMethod(decorator, 'legacy-or-function', fn.name || '<anonymous>', 'class'),
    );
  }
  const what = `${wrapperName} function ${fn.name || '<anonymous>'}()`;
  return bindToReactor(invoker, kind, fn as (...args: unknown[]) => unknown, timeoutMs ?? 0, what);
}

/**
 * The decorators bound to one controller. The package exports those of the global reactor; a
 * test binds them to a controller of its own (`crochet/testing`).
 *
 * Context: decorate anywhere; calls go to `invoker` and follow its rules.
 */
export function createDecorators(invoker: Invoker): {
  /** `@waitFor(timeoutMs)` bound to `invoker`: see the package's `waitFor`. */
  waitFor(timeoutMs: number): WaitForDecorator;
  /** `@runInReactor` bound to `invoker`: see the package's `runInReactor`. */
  runInReactor: RunInReactorDecorator;
} {
  function waitFor(timeoutMs: number): WaitForDecorator {
    const ms = checkTimeout(timeoutMs, 'waitFor()');
    const name = `@waitFor(${ms})`;
    function waitForDecorator(
      fnOrTarget: unknown,
      key?: string | symbol | object,
      descriptor?: PropertyDescriptor,
    ): unknown {
      if (isStandardContext(key)) {
        return decorateStandard(name, 'waitFor', ms, fnOrTarget, key, (fn, what) =>
          bindToReactor(invoker, 'waitFor', fn, ms, what),
        );
      }
      if (key === undefined)
        return wrapFunction(invoker, 'waitFor', ms, `waitFor(${ms})`, fnOrTarget);
      decorate(
        invoker,
        'waitFor',
        ms,
        name,
        fnOrTarget as object,
        key as string | symbol,
        descriptor,
      );
      return undefined;
    }
    return waitForDecorator as WaitForDecorator;
  }

  function runInReactor(
    fnOrTarget?: unknown,
    key?: string | symbol | object,
    descriptor?: PropertyDescriptor,
  ): unknown {
    if (arguments.length === 0) throw new TypeError(messages.runInReactorCalledEmpty());
    if (isStandardContext(key)) {
      return decorateStandard(
        '@runInReactor',
        'runInReactor',
        undefined,
        fnOrTarget,
        key,
        (fn, what) => bindToReactor(invoker, 'runInReactor', fn, 0, what),
      );
    }
    if (key === undefined)
      return wrapFunction(invoker, 'runInReactor', undefined, 'runInReactor()', fnOrTarget);
    decorate(
      invoker,
      'runInReactor',
      undefined,
      '@runInReactor',
      fnOrTarget as object,
      key as string | symbol,
      descriptor,
    );
    return undefined;
  }

  return { waitFor, runInReactor: runInReactor as RunInReactorDecorator };
}
