import { inspect } from 'node:util';

/**
 * Where crochet reports problems nobody else will see: unobserved failures, failing or hung
 * shutdown hooks. Replace it with `setup({ logger })` or `reactor.setLogger()`.
 * Called on the reactor (the caller's thread), never while a caller is blocked inside it.
 */
export interface Logger {
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
