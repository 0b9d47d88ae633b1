/**
 * The registry of reactor-bound methods, kept in reflect-metadata on the class itself (keyed by
 * method name), never on the function: the decorator replaces the function, and metadata kept
 * on the old one would be lost.
 */
import 'reflect-metadata';
import type { ReactorMethodKind } from './call-context';
import { METADATA_KEYS } from './metadata-keys';
import { messages } from './messages';

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
  const entry: ReactorMethodEntry =
    timeoutMs === undefined
      ? { name, kind, static: isStatic }
      : { name, kind, timeoutMs, static: isStatic };
  entries.set(name, entry);
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
    const entries = Reflect.getOwnMetadata(metadataKey(isStatic), level) as EntryMap | undefined;
    if (holder === undefined) continue;
    for (const name of Reflect.ownKeys(holder)) {
      if (decided.has(name)) continue;
      decided.add(name);
      const entry = entries?.get(name);
      if (entry !== undefined) found.push(entry);
    }
  }
  return found;
}
