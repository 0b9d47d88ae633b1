import { inspect } from 'node:util';

/**
 * Where crochet reports problems nobody else will see: unobserved failures, failing or hung
 * shutdown hooks. Replace it with `setup({ logger })` or `reactor.setLogger()`.
 * Called on the reactor (the caller's thread), never while a caller is blocked inside it.
 */
export interface Logger {
  error(message: string, error?: unknown): void;
}

/** The default logger: one line (plus the error's stack) on stderr. */
export const stderrLogger: Logger = {
  error(message, error) {
    const detail = error === undefined ? '' : ` ${inspect(error)}`;
    process.stderr.write(`${message}${detail}\n`);
  },
};
