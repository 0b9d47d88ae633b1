/// <reference types="node" preserve="true" />
/**
 * Test plumbing, published as `crochet/testing`: what a test suite needs to build reactor
 * controllers of its own (isolated from the global `reactor`, with fake collaborators), to
 * assert against crochet's exact messages, and to reset or inspect a controller between tests.
 * Application code does not need it.
 *
 * ```ts
 * import { ReactorController } from 'crochet';
 * import { createDecorators, defaultCollaborators, messages } from 'crochet/testing';
 *
 * const controller = new ReactorController({ ...defaultCollaborators(), logger: recorder });
 * const { waitFor, runInReactor } = createDecorators(controller);
 * controller.noSetup();
 * ```
 *
 * Context: everything here runs on the thread whose reactor it concerns, like the rest of the
 * in-thread API.
 *
 * @module crochet/testing
 */
import { reactor } from './global';
import type { ReactorController } from './core/reactor';

export { createDecorators } from './declare/decorators';
export type { Invoker } from './declare/decorators';
export { createFacadeFactory } from './facade/facade';
export { defaultCollaborators } from './core/collaborators';
export type { ReactorCollaborators } from './core/collaborators';
export type { EventLoopPump } from './core/pump';
export type {
  ProcessIntegration,
  ProcessHandlers,
  ShutdownSignal,
} from './core/process-integration';
export { messages } from './messages';
export type { DecoratorMode, MisusedMember } from './declare/misuse-text';

/**
 * Puts a controller (by default the global `reactor`) back to a fresh `'idle'` state, as if
 * crochet had just been loaded: every pending call fails with `ReactorStopped` (releasing blocked
 * callers), shutdown hooks, stashed results and the logger set by `setup()`/`setLogger()` are
 * dropped, process handlers installed by `setup()` are removed, and `setup()` or `noSetup()` may
 * be called again. Unlike `stop()`, no hook runs and nothing is reported at that point (released
 * calls never are).
 *
 * For specs that must use the global reactor (code under test decorated with the package's own
 * `@waitFor`); specs that can should build a controller of their own instead.
 *
 * Context: synchronous code on the controller's thread, between tests (typically `afterEach`),
 * not while a call of that controller is blocked.
 */
export function resetReactor(controller: ReactorController = reactor): void {
  controller.reset();
}

/**
 * How many calls of a controller (by default the global `reactor`) have not settled yet: blocked
 * `@waitFor` calls and eventual calls still running. A blocking call whose body settles at once
 * is never counted. For assertions that a test left nothing running.
 *
 * Context: any code on the controller's thread.
 */
export function pendingCalls(controller: ReactorController = reactor): number {
  return controller.pendingCount;
}
