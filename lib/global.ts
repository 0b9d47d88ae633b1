/**
 * The package's single reactor controller and its bound functions: what `import ... from
 * 'crochet'` gives. Specs that need isolation build their own ReactorController instead.
 */
import { createDecorators } from './declare/decorators';
import { createFacadeFactory } from './facade/facade';
import type { EventualResult } from './core/eventual-result';
import { defaultCollaborators, type SetupOptions } from './core/collaborators';
import { ReactorController } from './core/reactor';

/** The reactor controller of this thread's event loop. */
export const reactor = new ReactorController(defaultCollaborators());

/** Starts the reactor and installs process shutdown handling. See {@link ReactorController.setup}. */
export function setup(options?: SetupOptions): void {
  reactor.setup(options);
}

/** Marks the reactor running without process handlers. See {@link ReactorController.noSetup}. */
export function noSetup(): void {
  reactor.noSetup();
}

/**
 * Gives back a stashed result, once: `retrieveResult<T>(id)`, T stated, never inferred from the
 * context. See {@link ReactorController.retrieveResult}.
 */
export function retrieveResult<T = unknown>(id: number): EventualResult<NoInfer<T>> {
  return reactor.retrieveResult<T>(id);
}

const decorators = createDecorators(reactor);

/**
 * `@waitFor(timeoutMs)`: the decorated method (or the function given to `waitFor(ms)(fn)`) runs
 * on the reactor and its caller blocks, pumping the event loop, until the value or error. After
 * `timeoutMs` the caller gets a TimeoutError and the call's `currentSignal()` aborts.
 *
 * Context: call the decorated method from synchronous code (not inside a microtask).
 */
export const waitFor = decorators.waitFor;

/**
 * `@runInReactor`: the decorated method (or `runInReactor(fn)`) returns an EventualResult at
 * once; its body runs on the reactor afterwards, never inside the call.
 *
 * Context: any code on the reactor's thread.
 */
export const runInReactor = decorators.runInReactor;

/**
 * `facade(ServiceClass, options)`: a class whose instances wrap a service instance and give
 * application code a blocking method for each of the service's methods. See lib/facade.ts.
 */
export const facade = createFacadeFactory(reactor);
