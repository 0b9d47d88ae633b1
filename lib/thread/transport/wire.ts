/**
 * How values and errors cross between threads.
 *
 * Values cross by structured clone. Errors are encoded by hand, because structured clone keeps
 * only the built-in classes and drops own properties: the encoding keeps the class name, name,
 * message, stack, cause (recursively), own enumerable properties (`code`, `errno`, ...) and the
 * `errors` of an AggregateError. On the caller side the error is rebuilt as an instance of the
 * same class when it is known there (built-ins, crochet's own, classes registered with
 * `registerErrorClass`), without running its constructor, and its stack gets the caller's frames
 * appended under the reactor-side frames.
 */
import * as path from 'node:path';
import { inspect } from 'node:util';
import * as crochetErrors from '../../errors';
import { messages } from '../../messages';
import type { MethodInfo } from './protocol';
import { reactorMethods } from '../../declare/reactor-methods';
import { methodNamesOf } from '../../facade/prototype-chain';

/** An error as it crosses threads. */
interface WireError {
  readonly $crochetError: 1;
  readonly className: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly hasCause: boolean;
  readonly cause: unknown;
  readonly errors: unknown[] | undefined;
  readonly props: Record<string, unknown>;
}

/** A thrown value that is not an Error, cloned (or rendered when it cannot be cloned). */
interface WireThrown {
  readonly $crochetThrown: 1;
  readonly value: unknown;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const errorClasses = new Map<string, ErrorClass>();
const classNames = new WeakMap<object, string>();

function addClass(name: string, cls: ErrorClass): void {
  errorClasses.set(name, cls);
  classNames.set(cls, name);
}

for (const cls of [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
] as ErrorClass[]) {
  addClass(cls.name, cls);
}
// Every error class crochet exports, so that one added to errors.ts is known here too.
for (const [name, value] of Object.entries(crochetErrors)) {
  if (typeof value === 'function' && value.prototype instanceof Error) {
    addClass(name, value as ErrorClass);
  }
}

/**
 * Makes errors of class `cls` come back from a reactor thread as instances of `cls` (with their
 * message, stack, cause and own properties). Register it in every thread that calls the service;
 * `name` defaults to the class name and must match the name the class has in the reactor thread.
 *
 * Context: any code on the calling thread; registrations are per thread.
 */
export function registerErrorClass(cls: ErrorClass, name: string = cls.name): void {
  if (typeof cls !== 'function') throw new TypeError(messages.notAClass(cls));
  addClass(name, cls);
}

function classNameOf(error: Error): string {
  for (let proto: object | null = Object.getPrototypeOf(error) as object | null; proto !== null;) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function') {
      const registered = classNames.get(ctor);
      if (registered !== undefined) return registered;
      return ctor.name || 'Error';
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return 'Error';
}

/** A value that structured clone can copy, or a readable rendering of it. */
function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return inspect(value, { depth: 2 });
  }
}

const SKIPPED_PROPS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/**
 * Encodes anything thrown in the host (depth limits runaway cause chains). Never throws: a part
 * of the error that cannot be read (a getter or a proxy trap that throws) is encoded as what
 * reading it threw, so the call fails with this error instead of crashing its thread.
 */
export function encodeThrown(thrown: unknown, depth = 0): unknown {
  try {
    return encodeReadable(thrown, depth);
  } catch (error) {
    return {
      $crochetError: 1,
      className: 'Error',
      name: 'Error',
      message: `crochet: the thrown error could not be read (${unreadable(error)})`,
      stack: undefined,
      hasCause: false,
      cause: undefined,
      errors: undefined,
      props: {},
    } satisfies WireError;
  }
}

/** What reading a part threw, as text (itself read carefully). */
function unreadable(error: unknown): string {
  try {
    return `reading it threw ${String(error instanceof Error ? error.message : error)}`;
  } catch {
    return 'reading it threw';
  }
}

/** `read()`, or a text saying what reading it threw. */
function careful<T>(read: () => T): T | string {
  try {
    return read();
  } catch (error) {
    return `[${unreadable(error)}]`;
  }
}

function encodeReadable(thrown: unknown, depth: number): unknown {
  if (thrown instanceof DOMException) {
    return {
      $crochetError: 1,
      className: 'DOMException',
      name: thrown.name,
      message: thrown.message,
      stack: thrown.stack,
      hasCause: 'cause' in thrown,
      cause: depth < 8 ? encodeThrown((thrown as { cause?: unknown }).cause, depth + 1) : undefined,
      errors: undefined,
      props: {},
    } satisfies WireError;
  }
  if (!(thrown instanceof Error)) return { $crochetThrown: 1, value: cloneable(thrown) };
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (!SKIPPED_PROPS.has(key))
      props[key] = careful(() => cloneable((thrown as unknown as Record<string, unknown>)[key]));
  }
  const hasCause = Object.prototype.hasOwnProperty.call(thrown, 'cause');
  const errors =
    thrown instanceof AggregateError ? careful(() => thrown.errors as unknown[]) : undefined;
  return {
    $crochetError: 1,
    className: classNameOf(thrown),
    name: String(careful(() => thrown.name)),
    message: String(careful(() => thrown.message)),
    stack: careful(() => thrown.stack),
    hasCause,
    cause:
      hasCause && depth < 8
        ? encodeThrown(
            careful(() => thrown.cause),
            depth + 1,
          )
        : undefined,
    errors: Array.isArray(errors) ? errors.map((e) => encodeThrown(e, depth + 1)) : undefined,
    props,
  } satisfies WireError;
}

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && '$crochetError' in value;
}

function isWireThrown(value: unknown): value is WireThrown {
  return typeof value === 'object' && value !== null && '$crochetThrown' in value;
}

/** Frames of crochet's reactor-thread code (lib/thread/), left out of a rebuilt error's caller part. */
const OWN_FRAMES = `${path.join(__dirname, '..')}${path.sep}`;
const BOUNDARY = '    at <reactor thread: the call was made from here>';

/**
 * Rebuilds a thrown value on the caller side. `callerStack` (the stack of an Error made at the
 * call site) is appended to the stack of the top-level error.
 */
export function decodeThrown(wire: unknown, callerStack?: string): unknown {
  if (isWireThrown(wire)) return wire.value;
  if (!isWireError(wire)) return wire;
  let error: Error;
  const cause = wire.hasCause ? { cause: decodeThrown(wire.cause) } : undefined;
  if (wire.className === 'DOMException') {
    error = new DOMException(wire.message, wire.name);
    if (cause !== undefined)
      Object.defineProperty(error, 'cause', {
        value: cause.cause,
        configurable: true,
        writable: true,
      });
  } else {
    const cls = errorClasses.get(wire.className) ?? Error;
    const args: unknown[] =
      cls === AggregateError
        ? [(wire.errors ?? []).map((e) => decodeThrown(e)), wire.message]
        : [wire.message];
    if (cause !== undefined) args.push(cause);
    // A real Error object with the class's prototype, made without running its constructor.
    error = Reflect.construct(cls === AggregateError ? AggregateError : Error, args, cls) as Error;
    if (error.name !== wire.name) {
      Object.defineProperty(error, 'name', {
        value: wire.name,
        configurable: true,
        writable: true,
        enumerable: false,
      });
    }
    Object.assign(error, wire.props);
  }
  let stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  if (callerStack !== undefined) {
    // The caller's frames, without this library's own (lib/thread) frames on top.
    const frames = callerStack
      .split('\n')
      .filter((line) => line.startsWith('    at ') && !line.includes(OWN_FRAMES));
    stack = `${stack}\n${BOUNDARY}\n${frames.join('\n')}`;
  }
  Object.defineProperty(error, 'stack', {
    value: stack,
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return error;
}

/**
 * Throws a TypeError naming the first argument that structured clone cannot copy. Called only
 * after postMessage refused the arguments, so the happy path pays nothing.
 */
export function explainUncloneable(args: readonly unknown[], what: string, cause: unknown): never {
  for (const [index, arg] of args.entries()) {
    try {
      structuredClone(arg);
    } catch (error) {
      throw new TypeError(messages.threadUncloneableArg(what, index, arg), { cause: error });
    }
  }
  throw new TypeError(messages.threadUncloneableArg(what, -1, undefined), { cause });
}

/** The methods of an object (own and inherited, not Object.prototype's), for remote facades. */
export function methodNames(value: object): string[] {
  return methodNamesOf(value).filter((name): name is string => typeof name === 'string');
}

/** Method names with what the decorators of the object's class registered. */
export function describeMethods(value: object): MethodInfo[] {
  const ctor = (value as { constructor?: unknown }).constructor;
  const entries =
    typeof ctor === 'function' && ctor !== Object
      ? reactorMethods(ctor as abstract new (...args: never[]) => unknown).filter((e) => !e.static)
      : [];
  return methodNames(value).map((name) => {
    const entry = entries.find((e) => e.name === name);
    return { name, kind: entry?.kind, timeoutMs: entry?.timeoutMs };
  });
}

/** Methods of a class's instances, from its prototype chain. */
export function describeClass(cls: abstract new (...args: never[]) => unknown): MethodInfo[] {
  const proto = cls.prototype as object;
  const entries = reactorMethods(cls).filter((e) => !e.static);
  return methodNames(proto).map((name) => {
    const entry = entries.find((e) => e.name === name);
    return { name, kind: entry?.kind, timeoutMs: entry?.timeoutMs };
  });
}
