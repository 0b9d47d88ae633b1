/**
 * The context of the reactor-bound call that is running: set for the body of a decorated method
 * and propagated through everything it awaits (AsyncLocalStorage), so `currentSignal()` works
 * after an `await` too.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { CrochetError } from '../errors';
import { messages } from '../messages';

/** What a running call exposes to its body. */
export interface CallContext {
  readonly kind: ReactorMethodKind;
  readonly signal: AbortSignal;
  /** True only while the method itself runs synchronously (before it returns). */
  readonly inMethod: boolean;
}

/** How a reactor-bound call returns: blocking (`@waitFor`) or with an EventualResult. */
export type ReactorMethodKind = 'waitFor' | 'runInReactor';

export const callStorage = new AsyncLocalStorage<CallContext>();

/** The async resource type of a call's scope, as async_hooks report it (context frames only). */
const CALL_RESOURCE = 'CROCHET_CALL';

/**
 * Runs `body(context, a, b, c)` with `context` as the current call context (in the body and in
 * everything it schedules or awaits) and gives the caller its own context back afterwards,
 * exactly: nothing leaks out of the call, also when the body throws.
 *
 * Where AsyncLocalStorage is built on async context frames (Node.js 24+, and 22 with
 * --experimental-async-context-frame), `callStorage.run()` builds two frames per call: one to
 * enter and one to "restore" (a copy of the body's frame with our entry set to its old value).
 * Each is a copy of a Map through Node's safe iterator, ~50 ns more when the frame is not empty.
 * There a fresh AsyncResource captures the caller's frame, its scope enters one new frame, and
 * leaving the scope puts the caller's own frame back: one frame per call, and the caller's frame
 * is not replaced by a copy that every later frame must copy again. Under async_hooks (Node.js
 * 20, 22) `run()` only sets and restores a property of the current resource: cheaper as it is.
 */
export function runInCallContext<T extends CallContext, A, B, C, R>(
  context: T,
  body: (context: T, a: A, b: B, c: C) => R,
  a: A,
  b: B,
  c: C,
): R {
  if (!contextFrames) return callStorage.run(context, body, context, a, b, c);
  return new AsyncResource(CALL_RESOURCE).runInAsyncScope(
    enterAndRun<T, A, B, C, R>,
    undefined,
    context,
    body,
    a,
    b,
    c,
  );
}

function enterAndRun<T extends CallContext, A, B, C, R>(
  context: T,
  body: (context: T, a: A, b: B, c: C) => R,
  a: A,
  b: B,
  c: C,
): R {
  // Only inside an AsyncResource's scope, which restores the caller's frame when it ends.
  callStorage.enterWith(context);
  return body(context, a, b, c);
}

/**
 * Whether AsyncLocalStorage keeps its stores in async context frames (rather than on async_hooks
 * resources). Told apart by behaviour, not by version or flags: a store entered inside a
 * resource's scope is gone from the next scope of that resource with frames (the scope's frame
 * is dropped) and still there with async_hooks (it was set on the resource). A wrong answer
 * would only cost speed: either way the body sees the caller's context plus its own, and the
 * caller gets its own back.
 */
function usesContextFrames(): boolean {
  const probe = new AsyncLocalStorage<boolean>();
  const resource = new AsyncResource('CROCHET_PROBE');
  resource.runInAsyncScope(() => probe.enterWith(true));
  const kept = resource.runInAsyncScope(() => probe.getStore());
  probe.disable();
  return kept === undefined;
}

const contextFrames = usesContextFrames();

/** How calls carry their context here: 'frames' (Node.js 24+) or 'async_hooks' (20, 22). */
export const callContextMechanism: 'frames' | 'async_hooks' = contextFrames
  ? 'frames'
  : 'async_hooks';

/**
 * The AbortSignal of the reactor-bound call this code runs in. It aborts when the call's
 * `@waitFor` timeout passes, when `EventualResult.cancel()` is called, and when the reactor
 * stops; pass it to fetch, timers, streams and child processes so the work really stops.
 *
 * Context: inside the body of a `@waitFor`/`@runInReactor` method or wrapped function, and in
 * anything that body calls or awaits. Elsewhere it throws.
 */
export function currentSignal(): AbortSignal {
  const context = callStorage.getStore();
  if (context === undefined) throw new CrochetError(messages.noCurrentCall());
  return context.signal;
}
