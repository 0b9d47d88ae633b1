/**
 * The context of the reactor-bound call that is running: set for the body of a decorated method
 * and propagated through everything it awaits (AsyncLocalStorage), so `currentSignal()` works
 * after an `await` too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CrochetError } from './errors';
import { messages } from './messages';

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
