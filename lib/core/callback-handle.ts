/**
 * Blocking inside the callback of a native handle (a socket's 'data', a child process's 'exit')
 * without crashing Node.
 *
 * Why: while a native callback runs, Node's async-context stack holds its handle's object as a
 * raw `v8::Local` aliasing the handle's persistent slot (node's AsyncHooks says so: "we do not
 * keep a v8::Global<>"). A nested loop turn that completes the handle's `close()` deletes the
 * handle and frees that slot; the next `executionAsyncResource()` in the same callback then reads
 * freed memory and Node segfaults. Readers are crochet's own checks before each blocking call and,
 * on Node.js 20 and 22, AsyncLocalStorage's hook on every promise made. Seen: a second blocking
 * call in a socket's 'data' listener after the peer closed it, any blocking call in a child
 * process's 'exit' listener (Node closes the handle just before it emits 'exit').
 *
 * So: the resource of the running callback is read once per callback (by async id, before any
 * turn of ours), and while a call blocks inside a handle's callback, that handle's `close()` is
 * held back: it runs once no blocking call holds it, from a `process.nextTick`, which runs only
 * after the callback returns (the blocking loop drains ticks, but a held close is not run then).
 * A handle whose close started before the call (the 'exit' listener, or after `destroy()`)
 * cannot be held: in-thread blocking is refused there, and the reactor thread's signal checks do
 * not turn the loop. In the handle's own 'close' callback the close is finished and the handle
 * lives until the callback returns: blocking is fine there. (An unref'd handle whose close has
 * begun looks finished: `hasRef()` is the only sign readable here.)
 *
 * Context: the loop's own thread, from synchronous code.
 */
import { executionAsyncId, executionAsyncResource } from 'node:async_hooks';
import { isNativeFunction } from './native-function';
import { clearRealTimeout, setRealTimeout } from './clock';

/** The parts of a native handle's object (TCP, Pipe, Process...) that are looked at here. */
interface HandleObject {
  close: (...args: unknown[]) => unknown;
  hasRef: () => boolean;
}

/**
 * Native handles whose callbacks ran, by async id: only they can be freed under a callback (a
 * JavaScript resource, a timer's or the top level's, is kept by Node's own stack), so only
 * they are remembered, and a callback of anything else reads Node's stack as it is. Weakly: a
 * resource carries its call's context (AsyncLocalStorage), which must not outlive it. While its
 * callback runs, the handle is reachable, so it is still there when asked for again.
 */
const handles = new Map<number, WeakRef<object & HandleObject>>();
const REMEMBERED = 32;

/** The resource of the callback running now (Node's `executionAsyncResource()`). */
export function callbackResource(): unknown {
  const id = executionAsyncId();
  if (handles.size > 0) {
    const known = handles.get(id)?.deref();
    if (known !== undefined) return known;
  }
  const resource: unknown = executionAsyncResource();
  // Id 0 is shared by callbacks that have no async context: never remembered.
  if (id > 0 && isHandle(resource)) {
    handles.set(id, new WeakRef(resource));
    if (handles.size > REMEMBERED) {
      const oldest = handles.keys().next();
      if (oldest.done !== true) handles.delete(oldest.value);
    }
  }
  return resource;
}

/** Classes seen, and whether they are native (the check reads a function's source). */
const nativeClasses = new WeakMap<object, boolean>();

/**
 * Whether `resource` is a native handle: an object of a native class with `close()` and
 * `hasRef()` (Node's handle wraps; timers have both too, but are a JavaScript class).
 */
function isHandle(resource: unknown): resource is object & HandleObject {
  if (typeof resource !== 'object' || resource === null) return false;
  const candidate = resource as Partial<HandleObject>;
  if (typeof candidate.close !== 'function' || typeof candidate.hasRef !== 'function') {
    return false;
  }
  const ctor: unknown = resource.constructor;
  if (typeof ctor !== 'function') return false;
  let native = nativeClasses.get(ctor);
  if (native === undefined) {
    native = isNativeFunction(ctor);
    nativeClasses.set(ctor, native);
  }
  return native;
}

interface Hold {
  count: number;
  /** The arguments of `close()` calls made while held, in order. */
  readonly deferred: unknown[][];
  /** A tick that runs the deferred closes is scheduled. */
  scheduled: boolean;
  /** That tick is counted in `waiting` (closes were deferred when it was scheduled). */
  counted: boolean;
}

const holds = new WeakMap<object, Hold>();
/** Holds whose deferred closes wait for their tick (see `closesWaiting`). */
let waiting = 0;
let ownerSymbol: symbol | undefined;

/** Whether the handle's close has begun: its owner (a socket, a child process) let it go. */
function closing(handle: object): boolean {
  ownerSymbol ??= Object.getOwnPropertySymbols(handle).find(
    (symbol) => symbol.description === 'owner_symbol',
  );
  if (ownerSymbol === undefined) return false;
  const owner = (handle as Record<symbol, unknown>)[ownerSymbol];
  if (typeof owner !== 'object' || owner === null || !('_handle' in owner)) return false;
  return (owner as { _handle: unknown })._handle !== handle;
}

/**
 * Whether a close held back by an earlier blocking call waits for its tick. A blocking call
 * then takes its hold before it drains ticks: a second call in the same callback would
 * otherwise run that close itself, and find its handle closing.
 */
export function closesWaiting(): boolean {
  return waiting > 0;
}

/**
 * Holds back the close of the handle whose callback is running, for a blocking call. Returns
 * `'closing'` when it cannot be held (its close has begun), else the release to call once the
 * call stops blocking (a no-op outside native handle callbacks). `resource`: the running
 * callback's, when the caller has it already.
 */
export function holdCallbackHandle(
  resource: unknown = callbackResource(),
): 'closing' | (() => void) {
  if (!isHandle(resource)) return noop;
  const handle = resource;
  let hold = holds.get(handle);
  if (hold === undefined) {
    // Let go by its owner and still alive (ref'd): its close has begun and is not finished. Once
    // finished (its own 'close' callback runs now), `hasRef()` is false and turns are safe: Node
    // deletes the handle only after that callback returns.
    if (closing(handle)) return handle.hasRef() ? 'closing' : noop;
    const created: Hold = { count: 0, deferred: [], scheduled: false, counted: false };
    hold = created;
    holds.set(handle, hold);
    Object.defineProperty(handle, 'close', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        if (created.count > 0) created.deferred.push(args);
        else closeNow(handle, args);
      },
    });
  }
  hold.count += 1;
  const held = hold;
  return () => {
    held.count -= 1;
    if (held.count > 0 || held.scheduled) return;
    held.scheduled = true;
    held.counted = held.deferred.length > 0;
    if (held.counted) waiting += 1;
    process.nextTick(runDeferred, handle, held);
  };
}

function runDeferred(handle: object & HandleObject, hold: Hold): void {
  hold.scheduled = false;
  if (hold.counted) waiting -= 1;
  hold.counted = false;
  // A blocking call holds it again: its release schedules this again.
  if (hold.count > 0) return;
  holds.delete(handle);
  delete (handle as Partial<HandleObject>).close;
  for (const args of hold.deferred.splice(0)) closeNow(handle, args);
}

/** The handle's own close (its class's), past the one that holds it back. */
function closeNow(handle: object & HandleObject, args: unknown[]): void {
  const own = Object.getPrototypeOf(handle) as HandleObject;
  own.close.apply(handle, args);
}

const noop = (): void => undefined;

/** 1 when the running callback is a ref'd timer's (Node counts it until the callback ends). */
export function runningTimerCount(): number {
  const resource = callbackResource() as { constructor?: unknown; hasRef?: unknown } | null;
  if (typeof resource !== 'object' || resource === null) return 0;
  const timer = resource.constructor === timerClass && typeof resource.hasRef === 'function';
  return timer && (resource as { hasRef(): boolean }).hasRef() ? 1 : 0;
}

/** Node's Timeout class (the real one: clock.ts), to recognise a timer's callback. */
const timerClass = (() => {
  const probe = setRealTimeout(noop, 0x7fffffff);
  clearRealTimeout(probe);
  return probe.constructor;
})();
