/**
 * Values cross threads by value: results and arguments alike, the other side gets the data,
 * never an empty shell.
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
 * - a function inside a result is behaviour, not data: an object property holding one is left
 *   out, an array element holding one becomes `undefined` (a client's row parsers, say); a
 *   function inside an argument is refused instead, since the caller meant it to be called;
 * - what has no data to copy is refused with an error that says where it is and what to do: a
 *   function or symbol as the result itself, a promise, weak collections, live objects
 *   (EventEmitters: sockets, streams, clients, pools), native objects (handles), and a class
 *   instance with methods but no own data (its state is private: it is an object to call, not
 *   a value).
 *
 * Cycles and shared references are kept, as structured clone keeps them. Objects nested more
 * than MAX_NESTING levels deep are refused (structured clone would overflow the stack).
 *
 * Context: the host's thread, when it sends a call's outcome; the caller's, for arguments.
 */
import { EventEmitter } from 'node:events';
import { messages } from '../../messages';
import { prototypeChain } from '../../facade/prototype-chain';
import { MAX_NESTING, isPlainData } from './plain-data';
import { wireBuffer } from './buffers';
import { isNativeFunction } from '../../core/native-function';

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
  SharedArrayBuffer,
  Error,
  Boolean,
  Number,
  String,
  Blob,
];

const REFUSED_CLASSES: readonly [abstract new (...args: never[]) => unknown, string][] = [
  [Promise, 'a Promise (await it in the method)'],
  [EventEmitter, 'an EventEmitter (a live object: a socket, stream, client or pool)'],
  [EventTarget, 'an EventTarget (a live object: a signal, a port)'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [WeakRef, 'a WeakRef'],
];

/** Where a value goes: names its root in messages, and what a function inside it becomes. */
export interface Crossing {
  /** `'the result'`, `'argument 2'`. */
  readonly root: string;
  /** `'omit'` (results) or `'refuse'` (arguments). */
  readonly functions: 'omit' | 'refuse';
}

const RESULT: Crossing = { root: 'the result', functions: 'omit' };

/** A copy that holds Buffers (buffers.ts): its message is marked, for the other side. */
export class WithBuffers {
  constructor(readonly data: unknown) {}
}

/**
 * The value to post: `value` itself when it is plain data, else a copy made of its data (a
 * WithBuffers when Buffers are in it). Throws NotData for a part that cannot cross by value.
 */
export function byValue(value: unknown, crossing: Crossing = RESULT): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function') throw new NotData(crossing.root, describeFunction(value));
    if (typeof value === 'symbol') throw new NotData(crossing.root, String(value));
    return value;
  }
  if (isPlainData(value)) return value;
  const copier = new DataCopier(crossing.functions);
  const data = copier.copy(value, crossing.root);
  return copier.buffers ? new WithBuffers(data) : data;
}

class DataCopier {
  private readonly copies = new Map<object, unknown>();
  /** Whether a Buffer was met (and wrapped). */
  buffers = false;
  constructor(private readonly functions: 'omit' | 'refuse') {}

  /** A function found at `path`: left out (undefined), or refused. */
  private skip(item: unknown, path: string): boolean {
    if (typeof item !== 'function') return false;
    if (this.functions === 'refuse') throw new NotData(path, describeFunction(item));
    return true;
  }

  copy(value: unknown, path: string, depth = 0): unknown {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'symbol') throw new NotData(path, String(value));
      return value;
    }
    const done = this.copies.get(value);
    if (done !== undefined) return done;
    if (depth > MAX_NESTING) throw new NotData(abbreviated(path), TOO_DEEP);
    if (Buffer.isBuffer(value)) {
      this.buffers = true;
      const wrapped = wireBuffer(value);
      this.copies.set(value, wrapped);
      return wrapped;
    }
    const inner = depth + 1;
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
        const at = `${path}[${index}]`;
        items.push(this.skip(item, at) ? undefined : this.copy(item, at, inner));
      });
      return items;
    }
    if (value instanceof Map) {
      const map = new Map<unknown, unknown>();
      this.copies.set(value, map);
      for (const [k, v] of value) {
        const key = this.copy(k, `${path} (a Map key)`, inner);
        const at = `${path}.get(${String(key)})`;
        if (!this.skip(v, at)) map.set(key, this.copy(v, at, inner));
      }
      return map;
    }
    if (value instanceof Set) {
      const set = new Set<unknown>();
      this.copies.set(value, set);
      for (const item of value) {
        const at = `${path} (a Set item)`;
        if (!this.skip(item, at)) set.add(this.copy(item, at, inner));
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
      const at = `${path}.${key}`;
      if (!this.skip(item, at)) copy[key] = this.copy(item, at, inner);
    }
    return copy;
  }

  /** Refuses class instances that are not data (see the module comment). */
  private checkInstance(value: object, proto: object | null, path: string): void {
    const ctor = (proto as { constructor?: unknown } | null)?.constructor;
    const name = typeof ctor === 'function' ? ctor.name : '';
    const className = name !== '' ? `a ${name}` : 'an object';
    if (typeof ctor === 'function' && isNativeFunction(ctor)) {
      throw new NotData(path, `${className} (a native object: a socket, handle or resource)`);
    }
    // Node's own live objects that are not EventEmitters everywhere (a FileHandle is not one
    // on Node.js 20): their fields are no data, and what they hold stays in the thread.
    const live = Object.prototype.hasOwnProperty.call(LIVE_CLASSES, name)
      ? LIVE_CLASSES[name]
      : undefined;
    if (live !== undefined) throw new NotData(path, `${className} (${live})`);
    const hasData = Object.keys(value).some(
      (key) => typeof (value as Record<string, unknown>)[key] !== 'function',
    );
    if (!hasData && hasBehaviour(proto)) {
      throw new NotData(
        path,
        `${className} with methods and no data of its own (its state is private)`,
      );
    }
  }
}

const LIVE_CLASSES: Readonly<Record<string, string>> = {
  FileHandle: 'an open file: read what you need in the method, or declare the method remote',
  Timeout: 'a timer: it runs in the reactor thread',
  Immediate: 'a timer: it runs in the reactor thread',
};

const TOO_DEEP =
  `nested more than ${MAX_NESTING} levels deep (structured clone copies recursively, and ` +
  `deeper data overflows the stack): flatten it, e.g. into a list of nodes that refer to each ` +
  `other by index`;

/** A path of a deeply nested part, cut to its start and end for a message. */
function abbreviated(path: string): string {
  return path.length <= 100 ? path : `${path.slice(0, 60)}…${path.slice(-30)}`;
}

/** Whether the prototype chain (below Object.prototype) defines methods or accessors. */
function hasBehaviour(proto: object | null): boolean {
  for (const p of prototypeChain(proto)) {
    if (Object.getOwnPropertyNames(p).some((name) => name !== 'constructor')) return true;
  }
  return false;
}

function describeFunction(fn: unknown): string {
  const name = (fn as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? `the function ${name}()` : 'a function';
}

/** The message for a result that cannot cross, naming the call and the declaration to use. */
export function notDataMessage(what: string, method: string, problem: NotData): string {
  return messages.threadResultNotData(what, method, problem.path, problem.found);
}

/** The arguments of a call as they cross, and whether Buffers are in them (buffers.ts). */
export interface CrossingArgs {
  readonly list: unknown[];
  readonly buffers: boolean;
}

/**
 * The arguments of a call as they cross: each by value (see above), or a TypeError naming the
 * call, the argument and the part of it that cannot cross.
 */
export function argumentsByValue(args: readonly unknown[], what: string): CrossingArgs {
  let copied: unknown[] | undefined;
  let buffers = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (typeof arg !== 'object' && typeof arg !== 'function' && typeof arg !== 'symbol') continue;
    let data: unknown;
    try {
      data = byValue(arg, { root: `argument ${i + 1}`, functions: 'refuse' });
    } catch (error) {
      if (error instanceof NotData) {
        throw new TypeError(messages.threadArgNotData(what, error.path, error.found));
      }
      // As for results: what reading it threw is the cause.
      throw new TypeError(messages.threadUnreadableArg(what, i), { cause: error });
    }
    if (data instanceof WithBuffers) {
      buffers = true;
      data = data.data;
    }
    if (data !== arg) (copied ??= [...args])[i] = data;
  }
  return { list: copied ?? (args as unknown[]), buffers };
}
