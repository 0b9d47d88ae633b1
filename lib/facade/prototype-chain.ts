/**
 * The one walk over an object and its prototypes that facades, hosts and by-value copies share:
 * what application code defined, from the object itself up to (not including) `Object.prototype`
 * or `Function.prototype`.
 *
 * Context: pure functions, any thread.
 */

/** `start`, then each of its prototypes below Object.prototype / Function.prototype. */
export function* prototypeChain(start: object | null): Generator<object> {
  for (
    let o = start;
    o !== null && o !== Object.prototype && o !== Function.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    yield o;
  }
}

/**
 * The methods reachable from `start` (function-valued data properties, own and inherited),
 * nearest definition first; never `constructor`, never accessors.
 */
export function methodNamesOf(start: object): (string | symbol)[] {
  const names: (string | symbol)[] = [];
  const seen = new Set<string | symbol>(['constructor']);
  for (const o of prototypeChain(start)) {
    for (const name of Reflect.ownKeys(o)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (typeof descriptor?.value === 'function') names.push(name);
    }
  }
  return names;
}
