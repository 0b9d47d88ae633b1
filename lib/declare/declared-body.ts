/**
 * A typed way to declare a reactor-bound method whose declared return type is what its callers
 * really get. TypeScript decorators cannot change a method's type, so an `async` method decorated
 * with `@waitFor` is declared as returning a Promise although callers receive the value. With
 * these helpers the method is declared with the caller's type and returns its async body:
 *
 * ```ts
 * class Rates {
 *   @waitFor(1_000)
 *   latest(pair: string): number {
 *     return blockingBody(async () => (await fetchRate(pair)).value);
 *   }
 *   @runInReactor
 *   refresh(): EventualResult<void> {
 *     return eventualBody(async () => { await reload(); });
 *   }
 * }
 * ```
 *
 * At run time the helper returns a token that the decorator recognises and runs on the reactor.
 */
import { callStorage, type ReactorMethodKind } from '../core/call-context';
import { messages } from '../messages';
import type { EventualResult } from '../core/eventual-result';

/** The token a body helper returns; only the decorator that called the method looks inside. */
export class DeclaredBody {
  constructor(
    readonly kind: ReactorMethodKind,
    readonly body: () => unknown,
  ) {}
}

function declare(kind: ReactorMethodKind, helper: string, body: unknown): DeclaredBody {
  if (typeof body !== 'function') throw new TypeError(messages.notAFunction(body, `${helper}()`));
  const context = callStorage.getStore();
  if (context === undefined || !context.inMethod) {
    throw new TypeError(messages.bodyHelperOutsideCall(helper));
  }
  if (context.kind !== kind) {
    throw new TypeError(
      messages.bodyHelperMismatch(helper, kind === 'waitFor' ? '@runInReactor' : '@waitFor(ms)'),
    );
  }
  return new DeclaredBody(kind, body as () => unknown);
}

/**
 * Declares the body of a `@waitFor(ms)` method: the method is typed as returning `T` (what its
 * callers get) and returns `blockingBody(async () => ...)`.
 *
 * Context: only as the return value of a `@waitFor` method, inside that method.
 */
export function blockingBody<T>(body: () => T | PromiseLike<T>): T {
  // The cast is the point of the helper: the decorator turns the token into the awaited T.
  return declare('waitFor', 'blockingBody', body) as unknown as T;
}

/**
 * Declares the body of a `@runInReactor` method: the method is typed as returning
 * `EventualResult<T>` and returns `eventualBody(async () => ...)`.
 *
 * Context: only as the return value of a `@runInReactor` method, inside that method.
 */
export function eventualBody<T>(body: () => T | PromiseLike<T>): EventualResult<T> {
  return declare('runInReactor', 'eventualBody', body) as unknown as EventualResult<T>;
}
