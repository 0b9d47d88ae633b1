/**
 * Whether a value is plain data: what structured clone copies faithfully and completely
 * (primitives, plain objects, arrays, and the types it knows: typed arrays, buffers, dates,
 * regular expressions, maps and sets of plain data), so that by-value.ts can post it as it is.
 *
 * Two walks: a fast one for the common case, a tree of plain objects and arrays, which keeps no
 * record of what it has seen (a hash lookup per object: it made the check of 1,000 small objects
 * 44 µs instead of 16), and one that does, for what the fast one hands over.
 *
 * Context: any thread (the host's for results, the caller's for arguments).
 */

/** Whether `value` is plain data (see the module comment). */
export function isPlainData(value: object): boolean {
  const walk: TreeWalk = { left: TREE_VISITS, seen: undefined };
  const plain = isPlainTree(value, 0, walk);
  return plain ?? isPlainGraph(value, walk.seen ?? new Set(), 0);
}

/**
 * Objects nested deeper than this are not plain data here. Structured clone copies (and reads
 * back) recursively: 2,000 levels already overflowed V8's deserializer on a main thread, and
 * 20,000 overflowed this walk and crashed a reactor thread. by-value.ts refuses such values with
 * a clear error instead.
 */
export const MAX_NESTING = 1000;

/**
 * Deeper than this, or past this many objects, the fast walk hands over to the one that tracks
 * what it has seen: a cycle always goes too deep, and the visit budget bounds what a graph that
 * shares objects many times over costs before the hand-over.
 */
const TREE_DEPTH = 64;
const TREE_VISITS = 100_000;

/**
 * One fast walk's state: the visits it has left, and what the complete walk has seen of the
 * non-plain leaves (maps, sets...) met so far, so that a leaf shared by many objects is walked
 * once, as structured clone visits it.
 */
interface TreeWalk {
  left: number;
  seen: Set<object> | undefined;
}

/**
 * The common case, fast: whether `value` is plain data, walked as a tree (no record of what was
 * seen, which costs a hash lookup per object). `undefined` when the walk goes deeper than
 * TREE_DEPTH or visits more than TREE_VISITS objects (a shared object is visited once per
 * reference here): the caller then walks with `isPlainGraph`.
 */
function isPlainTree(value: object, depth: number, walk: TreeWalk): boolean | undefined {
  if (depth > TREE_DEPTH || (walk.left -= 1) < 0) return undefined;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Array.prototype) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i += 1) {
      const plain = isPlainTreeItem(items[i], depth, walk);
      if (plain !== true) return plain;
    }
    return true;
  }
  if (proto === Object.prototype || proto === null) {
    for (const key in value) {
      const plain = isPlainTreeItem((value as Record<string, unknown>)[key], depth, walk);
      if (plain !== true) return plain;
    }
    return true;
  }
  // Typed arrays, buffers, dates, maps...: the complete walk knows them.
  return isPlainGraph(value, (walk.seen ??= new Set()), depth);
}

/** One element or property value of a plain container, for isPlainTree. */
function isPlainTreeItem(item: unknown, depth: number, walk: TreeWalk): boolean | undefined {
  if (typeof item === 'object') return item === null || isPlainTree(item, depth + 1, walk);
  return typeof item !== 'function' && typeof item !== 'symbol';
}

/** Whether structured clone copies `value` faithfully and completely. */
function isPlainGraph(value: object, seen: Set<object>, depth: number): boolean {
  if (depth > MAX_NESTING) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  // Structured clone makes a Buffer a Uint8Array: buffers.ts sends it wrapped.
  if (Buffer.isBuffer(value)) return false;
  if (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer
  ) {
    return true;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Array.prototype) {
    for (const item of value as unknown[]) if (!isPlainItem(item, seen, depth)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) {
    if (value instanceof Date || value instanceof RegExp) return true;
    if (value instanceof Map) {
      for (const [k, v] of value)
        if (!isPlainItem(k, seen, depth) || !isPlainItem(v, seen, depth)) return false;
      return true;
    }
    if (value instanceof Set) {
      for (const item of value) if (!isPlainItem(item, seen, depth)) return false;
      return true;
    }
    return false;
  }
  for (const key in value) {
    if (!isPlainItem((value as Record<string, unknown>)[key], seen, depth)) return false;
  }
  return true;
}

function isPlainItem(item: unknown, seen: Set<object>, depth: number): boolean {
  if (typeof item === 'object') return item === null || isPlainGraph(item, seen, depth + 1);
  return typeof item !== 'function' && typeof item !== 'symbol';
}
