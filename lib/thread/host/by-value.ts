/**
 * Results cross threads by value: the caller gets the data, never an empty shell.
 *
 * Structured clone alone is not enough for what client libraries return. It refuses a class
 * instance that holds a function anywhere (node-postgres's `Result` keeps its row parsers), and
 * it turns an instance whose state is private (`#fields` behind getters) into `{}` without a
 * word. So a result is first inspected; when it is plain data (primitives, plain objects,
 * arrays and the types structured clone copies faithfully) it is posted as it is, and otherwise
 * it is copied as data:
 *
 * - a class instance becomes a plain object of its own enumerable properties (its prototype and
 *   methods stay behind: declare the method `remote` to call them);
 * - a function inside the result is behaviour, not data: an object property holding one is left
 *   out, an array element holding one becomes `undefined`;
 * - what has no data to copy is refused with an error that says where it is and what to do: a
 *   function or symbol as the result itself, a promise, weak collections, live objects
 *   (EventEmitters: sockets, streams, clients, pools), native objects (handles), and a class
 *   instance with methods but no own data (its state is private: it is an object to call, not
 *   a value).
 *
 * Cycles and shared references are kept, as structured clone keeps them.
 *
 * Context: the host's thread, when it sends a call's outcome.
 */
import { EventEmitter } from 'node:events';
import { messages } from '../../messages';
import { prototypeChain } from '../../facade/prototype-chain';

/** Why part of a result cannot cross by value. */
export class NotData extends Error {
  constructor(
    readonly path: string,
    readonly found: string,
  ) {
    super(`${path}: ${found}`);
  }
}

/** Types structured clone copies with their class (their contents are still inspected). */
const CLONED_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  Date,
  RegExp,
  ArrayBuffer,
  Error,
  Boolean,
  Number,
  String,
  Blob,
];

const REFUSED_CLASSES: readonly [abstract new (...args: never[]) => unknown, string][] = [
  [Promise, 'a Promise (await it in the method)'],
  [EventEmitter, 'an EventEmitter (a live object: a socket, stream, client or pool)'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [WeakRef, 'a WeakRef'],
];

/**
 * The value to post for a result: `value` itself when it is plain data, else a copy made of its
 * data. Throws NotData for a part that cannot cross by value.
 */
export function byValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function') throw new NotData('the result', describeFunction(value));
    if (typeof value === 'symbol') throw new NotData('the result', String(value));
    return value;
  }
  return isPlainData(value, new Set()) ? value : new DataCopier().copy(value, 'the result');
}

/** Whether structured clone copies `value` faithfully and completely. */
function isPlainData(value: object, seen: Set<object>): boolean {
  if (seen.has(value)) return true;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Array.prototype) {
    for (const item of value as unknown[]) if (!isPlainItem(item, seen)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) {
    if (value instanceof Date || value instanceof RegExp) return true;
    if (value instanceof Map) {
      for (const [k, v] of value) if (!isPlainItem(k, seen) || !isPlainItem(v, seen)) return false;
      return true;
    }
    if (value instanceof Set) {
      for (const item of value) if (!isPlainItem(item, seen)) return false;
      return true;
    }
    return false;
  }
  for (const key in value) {
    if (!isPlainItem((value as Record<string, unknown>)[key], seen)) return false;
  }
  return true;
}

function isPlainItem(item: unknown, seen: Set<object>): boolean {
  if (typeof item === 'object') return item === null || isPlainData(item, seen);
  return typeof item !== 'function' && typeof item !== 'symbol';
}

class DataCopier {
  private readonly copies = new Map<object, unknown>();

  copy(value: unknown, path: string): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'symbol') throw new NotData(path, String(value));
      return value;
    }
    const done = this.copies.get(value);
    if (done !== undefined) return done;
    if (ArrayBuffer.isView(value) || CLONED_CLASSES.some((cls) => value instanceof cls)) {
      this.copies.set(value, value);
      return value;
    }
    for (const [cls, found] of REFUSED_CLASSES) {
      if (value instanceof cls) throw new NotData(path, found);
    }
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      this.copies.set(value, items);
      value.forEach((item: unknown, index) => {
        items.push(typeof item === 'function' ? undefined : this.copy(item, `${path}[${index}]`));
      });
      return items;
    }
    if (value instanceof Map) {
      const map = new Map<unknown, unknown>();
      this.copies.set(value, map);
      for (const [k, v] of value) {
        if (typeof v === 'function') continue;
        const key = this.copy(k, `${path} (a Map key)`);
        map.set(key, this.copy(v, `${path}.get(${String(key)})`));
      }
      return map;
    }
    if (value instanceof Set) {
      const set = new Set<unknown>();
      this.copies.set(value, set);
      for (const item of value) {
        if (typeof item !== 'function') set.add(this.copy(item, `${path} (a Set item)`));
      }
      return set;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    const plain = proto === Object.prototype || proto === null;
    if (!plain) this.checkInstance(value, proto, path);
    const copy: Record<string, unknown> = {};
    this.copies.set(value, copy);
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'function') continue;
      copy[key] = this.copy(item, `${path}.${key}`);
    }
    return copy;
  }

  /** Refuses class instances that are not data (see the module comment). */
  private checkInstance(value: object, proto: object | null, path: string): void {
    const ctor = (proto as { constructor?: unknown } | null)?.constructor;
    const className = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'an object';
    if (typeof ctor === 'function' && isNative(ctor)) {
      throw new NotData(path, `a ${className} (a native object: a socket, handle or resource)`);
    }
    const hasData = Object.keys(value).some(
      (key) => typeof (value as Record<string, unknown>)[key] !== 'function',
    );
    if (!hasData && hasBehaviour(proto)) {
      throw new NotData(
        path,
        `a ${className} with methods and no data of its own (its state is private)`,
      );
    }
  }
}

/** Whether the prototype chain (below Object.prototype) defines methods or accessors. */
function hasBehaviour(proto: object | null): boolean {
  for (const p of prototypeChain(proto)) {
    if (Object.getOwnPropertyNames(p).some((name) => name !== 'constructor')) return true;
  }
  return false;
}

const nativeSource = /\{\s*\[native code\]\s*\}\s*$/;

function isNative(ctor: unknown): boolean {
  try {
    return nativeSource.test(Function.prototype.toString.call(ctor));
  } catch {
    return false;
  }
}

function describeFunction(fn: unknown): string {
  const name = (fn as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? `the function ${name}()` : 'a function';
}

/** The message for a result that cannot cross, naming the call and the declaration to use. */
export function notDataMessage(what: string, method: string, problem: NotData): string {
  return messages.threadResultNotData(what, method, problem.path, problem.found);
}
