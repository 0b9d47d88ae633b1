/**
 * The registry of reactor-bound methods, kept on the class itself (keyed by method name), never
 * on the function: the decorator replaces the function, and metadata kept on the old one would
 * be lost. Legacy decorators are given the class and register in reflect-metadata; standard
 * decorators are not, and register in their decorator metadata object, which becomes the
 * class's own `Symbol.metadata` property (see decorator-modes.ts). `reactorMethods()` reads both.
 */
import 'reflect-metadata';
import type { ReactorMethodKind } from '../core/call-context';
import { METADATA_KEYS } from './metadata-keys';
import { messages } from '../messages';

/** One reactor-bound method of a class, as `reactorMethods()` lists it. */
export interface ReactorMethodEntry {
  /** The method's name (its property key). */
  readonly name: string | symbol;
  /** `'waitFor'` for `@waitFor(ms)`, `'runInReactor'` for `@runInReactor`. */
  readonly kind: ReactorMethodKind;
  /** The `@waitFor` timeout; absent for `@runInReactor`. */
  readonly timeoutMs?: number;
  /** Whether it is a static method of the class. */
  readonly static: boolean;
}

type EntryMap = Map<string | symbol, ReactorMethodEntry>;

/** Any class: a constructor function of any signature. */
export type AnyClass = abstract new (...args: never[]) => unknown;

function metadataKey(isStatic: boolean): string {
  return isStatic ? METADATA_KEYS.staticMethods : METADATA_KEYS.instanceMethods;
}

/**
 * Records a decorated method. `target` is what a legacy method decorator receives: the prototype
 * for an instance method, the class for a static one.
 */
export function registerReactorMethod(
  target: object,
  name: string | symbol,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
): void {
  const isStatic = typeof target === 'function';
  const owner = isStatic ? target : (target as { constructor: object }).constructor;
  const key = metadataKey(isStatic);
  let entries = Reflect.getOwnMetadata(key, owner) as EntryMap | undefined;
  if (entries === undefined) {
    entries = new Map();
    Reflect.defineMetadata(key, entries, owner);
  }
  entries.set(name, makeEntry(name, kind, timeoutMs, isStatic));
}

/**
 * Records a method decorated by a standard decorator, in `metadata` (the decorator context's
 * metadata object, which becomes `Class[Symbol.metadata]`). Its own property only: the object
 * inherits from the superclass's metadata, and the superclass keeps its own entries. Without a
 * metadata object (a compiler older than TypeScript 5.2, or Symbol.metadata removed), the entry
 * is kept by the replacement function and found on the prototype by `reactorMethods()`.
 */
export function registerStandardMethod(
  metadata: object | undefined,
  wrapper: object,
  name: string | symbol,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
  isStatic: boolean,
): void {
  const entry = makeEntry(name, kind, timeoutMs, isStatic);
  if (typeof metadata !== 'object' || metadata === null) {
    byReplacement.set(wrapper, entry);
    return;
  }
  const key = metadataKey(isStatic);
  let entries = ownEntries(metadata, key);
  if (entries === undefined) {
    entries = new Map();
    Object.defineProperty(metadata, key, { value: entries, configurable: true });
  }
  entries.set(name, entry);
}

/** Entries of standard decorators that had no metadata object, by replacement function. */
const byReplacement = new WeakMap<object, ReactorMethodEntry>();

function ownEntries(holder: object, key: string): EntryMap | undefined {
  return Object.hasOwn(holder, key) ? (holder as Record<string, EntryMap>)[key] : undefined;
}

/** The symbols a class's decorator metadata may be under (see decorator-modes.ts). */
function metadataSymbols(): symbol[] {
  const current = (Symbol as unknown as { metadata?: symbol }).metadata;
  const fallback = Symbol.for('Symbol.metadata');
  return current === undefined || current === fallback ? [fallback] : [current, fallback];
}

/** What standard decorators registered on the class itself (not on its superclasses). */
function standardEntries(cls: object, key: string): EntryMap | undefined {
  for (const symbol of metadataSymbols()) {
    if (!Object.hasOwn(cls, symbol)) continue;
    const metadata = (cls as Record<symbol, unknown>)[symbol];
    if (typeof metadata === 'object' && metadata !== null) {
      const entries = ownEntries(metadata, key);
      if (entries !== undefined) return entries;
    }
  }
  return undefined;
}

/** A standard decorator's entry kept by its replacement, if that is what `holder[name]` is. */
function entryOfReplacement(
  holder: object,
  name: string | symbol,
  isStatic: boolean,
): ReactorMethodEntry | undefined {
  const value = Object.getOwnPropertyDescriptor(holder, name)?.value as unknown;
  if (typeof value !== 'function') return undefined;
  const entry = byReplacement.get(value);
  return entry !== undefined && entry.name === name && entry.static === isStatic
    ? entry
    : undefined;
}

function makeEntry(
  name: string | symbol,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
  isStatic: boolean,
): ReactorMethodEntry {
  return timeoutMs === undefined
    ? { name, kind, static: isStatic }
    : { name, kind, timeoutMs, static: isStatic };
}

/**
 * What the decorators registered on a class and its ancestors, instance methods first, then
 * static ones. A subclass that redefines a method decides alone: its own decoration wins, and an
 * undecorated override removes the method from the list.
 */
export function reactorMethods(cls: AnyClass): ReactorMethodEntry[] {
  if (typeof cls !== 'function') throw new TypeError(messages.notAClass(cls));
  return [...collect(cls, false), ...collect(cls, true)];
}

function collect(cls: AnyClass, isStatic: boolean): ReactorMethodEntry[] {
  const chain: object[] = [];
  for (let c: object | null = cls; c !== null && c !== Function.prototype;) {
    chain.push(c);
    c = Object.getPrototypeOf(c) as object | null;
  }
  const found: ReactorMethodEntry[] = [];
  const decided = new Set<string | symbol>();
  for (const level of chain) {
    const holder = isStatic ? level : (level as { prototype?: object }).prototype;
    const key = metadataKey(isStatic);
    const entries = Reflect.getOwnMetadata(key, level) as EntryMap | undefined;
    const standard = standardEntries(level, key);
    if (holder === undefined) continue;
    for (const name of Reflect.ownKeys(holder)) {
      if (decided.has(name)) continue;
      decided.add(name);
      const entry =
        entries?.get(name) ?? standard?.get(name) ?? entryOfReplacement(holder, name, isStatic);
      if (entry !== undefined) found.push(entry);
    }
  }
  return found;
}
