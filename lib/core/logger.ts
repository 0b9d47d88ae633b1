import { inspect } from 'node:util';

/**
 * Where crochet reports problems nobody else will see: unobserved failures, failing or hung
 * shutdown hooks. Replace it with `setup({ logger })` or `reactor.setLogger()`.
 *
 * Context: called on the reactor's thread (for a reactor thread's reports, the thread that
 * started it), from the event loop, possibly while a blocked call is pumping that loop: keep it
 * synchronous and do not block in it.
 */
export interface Logger {
  /**
   * Reports one problem: `message` says what happened (crochet's messages start with `crochet:`),
   * `error` is the error concerned, if any. A logger that throws is survived: the report then
   * goes to stderr.
   */
  error(message: string, error?: unknown): void;
}

/** How the library hands a problem to whatever logger is current; never throws. */
export type Report = (message: string, error?: unknown) => void;

/** The default logger: one line (plus the error's stack) on stderr. */
export const stderrLogger: Logger = {
  error(message, error) {
    const detail = error === undefined ? '' : ` ${inspect(error)}`;
    process.stderr.write(`${message}${detail}\n`);
  },
};

/**
 * Reports through `logger`, surviving a logger that throws: then stderr, the last resort, with
 * the logger's own error; and if even stderr fails, nothing (a report must never break the
 * reactor, a shutdown, or the release of blocked callers).
 */
export function reportSafely(logger: Logger, message: string, error?: unknown): void {
  try {
    logger.error(message, error);
    return;
  } catch (loggerError) {
    try {
      stderrLogger.error(message, error);
      stderrLogger.error(
        'crochet: the logger threw while reporting the problem above:',
        loggerError,
      );
    } catch {
      // Nowhere left to write.
    }
  }
}
