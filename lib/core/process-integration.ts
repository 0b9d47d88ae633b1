/**
 * How the controller touches the process: signal, exit and uncaught-exception handlers, and
 * `process.exit`. Injected so that specs can drive shutdown without a real process.
 */

/** The signals that shut the reactor down after `setup()` (exit codes 130 and 143). */
export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/**
 * What the controller wants to hear from the process; `setup()` passes them to
 * {@link ProcessIntegration.install}. A fake process calls them to simulate signals and exits.
 */
export interface ProcessHandlers {
  /** SIGINT or SIGTERM arrived. */
  signal(name: ShutdownSignal): void;
  /** The event loop emptied: a normal end of the program. */
  beforeExit(): void;
  /** `process.exit()` was called or an uncaught error ends the process: synchronous work only. */
  exit(): void;
}

/**
 * How a controller touches the process (the real one: `defaultCollaborators().process`). A fake
 * lets a spec drive shutdown and see exit codes without a real process.
 *
 * Context: called on the controller's thread.
 */
export interface ProcessIntegration {
  /** Installs the handlers; returns a function that removes them. */
  install(handlers: ProcessHandlers): () => void;
  /** Routes uncaught exceptions to `handler` until the returned function is called. */
  catchUncaught(handler: (error: unknown) => void): () => void;
  /** Ends the process with `code` (after a signal's shutdown, or at a second signal). */
  exit(code: number): void;
}

export const nodeProcess: ProcessIntegration = {
  install(handlers) {
    const onSigint = (): void => handlers.signal('SIGINT');
    const onSigterm = (): void => handlers.signal('SIGTERM');
    const onBeforeExit = (): void => handlers.beforeExit();
    const onExit = (): void => handlers.exit();
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
    return () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      process.off('beforeExit', onBeforeExit);
      process.off('exit', onExit);
    };
  },
  catchUncaught(handler) {
    process.on('uncaughtException', handler);
    return () => process.off('uncaughtException', handler);
  },
  exit(code) {
    process.exit(code);
  },
};
