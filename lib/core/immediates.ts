/**
 * What blocking inside a `setImmediate` callback must know of Node's immediate queue: where the
 * caller stands in the batch being run, and how to let the loop sleep again on Node 26.
 *
 * Context: the loop's own thread.
 */
import { callbackResource } from './callback-handle';
import { clearRealImmediate, setRealImmediate } from './clock';

const noop = (): void => undefined;

/** The parts of a Node.js Immediate that {@link immediateBatchPosition} looks at. */
interface ImmediateLinks {
  readonly _onImmediate?: unknown;
  readonly _idlePrev?: unknown;
  readonly _idleNext?: unknown;
}

/**
 * Where the caller stands in a batch of setImmediate callbacks Node is running:
 * - 'later': another callback of the batch ran before it. Pumping the loop there aborts the
 *   process as soon as any immediate is pending in the nested check phase: Node's
 *   processImmediate, entered again, finds the running immediate at the head of its outstanding
 *   queue, already marked done, and fails on the missing previous one; the C++ caller then
 *   aborts (every version from 20 to 26).
 * - 'first': the first of a batch with more callbacks after it. Safe, but those cannot run until
 *   it returns, and while they are pending Node keeps the loop from sleeping.
 * - 'none': not in an immediate callback, or the only one of its batch.
 * Read defensively (Node's internal links): an unknown layout counts as 'none'.
 *
 * Context: the loop's own thread, before it blocks.
 */
export function immediateBatchPosition(
  // Read once per callback (callback-handle.ts: after a loop turn it may be freed).
  current: unknown = callbackResource(),
): 'none' | 'first' | 'later' {
  const resource = current as ImmediateLinks | null;
  if (typeof resource !== 'object' || resource === null || !('_onImmediate' in resource)) {
    return 'none';
  }
  if (resource._idlePrev !== null && resource._idlePrev !== undefined) return 'later';
  if (resource._idleNext !== null && resource._idleNext !== undefined) return 'first';
  return 'none';
}

/**
 * Stops Node's immediate idle handle when no ref'd `setImmediate` is pending, so that the next
 * `uv_run(UV_RUN_ONCE)` can sleep in poll.
 *
 * While Node runs a `setImmediate` callback, that immediate is no longer counted (ref count 0),
 * but the idle handle that keeps `uv_run` from sleeping stays started until the whole batch has
 * run. Up to Node 24 the check phase of our first nested `uv_run` stopped it (CheckImmediate
 * always went through RunAndClearNativeImmediates, which stops it when the ref count is 0).
 * Node 26's CheckImmediate returns early when no immediate is queued, so the handle stays
 * started and every `uv_run` polls with a zero timeout: a wait inside a setImmediate callback
 * would spin a core. Scheduling and clearing one immediate takes the ref count from 0 to 1 and
 * back to 0, and that last step stops the handle (public API only; the real functions, since a
 * test's fake setImmediate would not touch Node's count). When ref'd immediates are pending the
 * count does not reach 0 and the handle rightly stays started.
 */
export function releaseStaleImmediateRef(): void {
  clearRealImmediate(setRealImmediate(noop));
}
