/**
 * What a reactor controller is built from, and the words for its life: its state, the options
 * of `setup()`, its injected collaborators and the defaults the package uses.
 *
 * Context: types and a factory; the controller built from them belongs to one thread.
 */
import { stderrLogger, type Logger } from './logger';
import { nodeProcess, type ProcessIntegration } from './process-integration';
import { createDeasyncPump, type EventLoopPump } from './pump';

/**
 * Where a reactor is in its life: `'idle'` until `setup()` or `noSetup()` (reactor-bound calls
 * throw NotSetUpError), `'running'` (calls run), `'stopping'` while `stop()` runs its hooks
 * (new calls throw ReactorStopped), `'stopped'` once it finished or the process is exiting (for
 * good: a stopped reactor cannot be started again).
 */
export type ReactorState = 'idle' | 'running' | 'stopping' | 'stopped';

/** Options of `setup()` (`ReactorController.setup`). */
export interface SetupOptions {
  /** Where unobserved failures and hook problems are reported (default: stderr). */
  logger?: Logger;
  /** Default limit for each shutdown hook, in ms (default 5000). */
  hookTimeoutMs?: number;
}

/**
 * What a `ReactorController` is built from. The package's `reactor` uses
 * {@link defaultCollaborators}; specs replace some of them with fakes.
 */
export interface ReactorCollaborators {
  /** Runs the caller's event loop while a call blocks (deasync by default). */
  pump: EventLoopPump;
  /** Signal, exit and uncaught-exception handling, and `process.exit` (the real process's). */
  process: ProcessIntegration;
  /** Where problems are reported until `setup({ logger })` or `setLogger()` replaces it. */
  logger: Logger;
}

/**
 * The default collaborators: the deasync pump (its binary is loaded on the first loop step), the
 * real process, the stderr logger. Each call returns a new object; spread it to replace some:
 * `new ReactorController({ ...defaultCollaborators(), logger })`.
 *
 * Context: any thread; the controller built from them must be used on that thread.
 */
export function defaultCollaborators(): ReactorCollaborators {
  return { pump: createDeasyncPump(), process: nodeProcess, logger: stderrLogger };
}
