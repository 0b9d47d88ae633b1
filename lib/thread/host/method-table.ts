/**
 * Which function a hosted call runs: the method of that name on the hosted object, undecorated
 * (a decorated method runs its original: the call is already bound to this host), with the kind
 * its decorator registered. Looked up by name at call time, so a sinon stub put on the object or
 * its prototype takes effect; a prototype's lookups are cached.
 *
 * Context: the host's thread.
 */
import type { ReactorMethodKind } from '../../core/call-context';
import { originalOf } from '../../declare/decorators';
import { reactorMethods, type AnyClass } from '../../declare/reactor-methods';

type Method = (...args: unknown[]) => unknown;

export interface MethodEntry {
  readonly fn: Method;
  readonly kind: ReactorMethodKind | undefined;
}

export class MethodTable {
  private readonly cache = new WeakMap<object, Map<string, MethodEntry>>();

  lookup(value: object, name: string): MethodEntry | undefined {
    const proto = Object.getPrototypeOf(value) as object | null;
    const cacheKey = proto !== null && proto !== Object.prototype ? proto : value;
    let cache = this.cache.get(cacheKey);
    if (cache === undefined) {
      cache = new Map();
      this.cache.set(cacheKey, cache);
    }
    const cached = cache.get(name);
    const current = (value as Record<string, unknown>)[name];
    if (typeof current !== 'function') return undefined;
    const original = originalOf(current as Method) as Method | undefined;
    if (cached !== undefined && (cached.fn === current || original === cached.fn)) return cached;
    const ctor = (value as { constructor?: unknown }).constructor;
    const decorated =
      typeof ctor === 'function' && ctor !== Object
        ? reactorMethods(ctor as AnyClass).find((e) => !e.static && e.name === name)
        : undefined;
    const entry: MethodEntry = { fn: original ?? (current as Method), kind: decorated?.kind };
    // Only a method of the prototype is cached: an own function may be replaced (sinon) any time.
    if (cacheKey !== value || proto === Object.prototype) cache.set(name, entry);
    return entry;
  }
}
