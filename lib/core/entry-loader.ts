/**
 * The text of an 'in-microtask' refusal, told apart for one common case: the top level of a
 * CommonJS entry module that an ES-module loader evaluates. `tsx app.ts` (and `node --import tsx
 * app.ts`) load even a CommonJS entry through tsx's ES-module loader, whose evaluation of the
 * module body runs inside a promise job, so a blocking call at its top level is refused like one
 * in an ES module, although the same file runs fine under `node --require tsx/cjs app.ts`.
 *
 * How it is told apart: the main module (`require.main`) has not finished loading. Under plain
 * CommonJS the top level of the entry never runs inside a microtask, and no microtask can run
 * before a module evaluated inside one has finished; so a refusal while the entry is still
 * loading comes from its top level (or a module it requires) being run by an ES-module loader.
 *
 * Context: called only when a refusal is about to be thrown (never on a call's fast path).
 */
import * as path from 'node:path';
import { messages } from '../messages';

/** The message of a refusal inside a microtask, for the blocking call described by `what`. */
export function microtaskRefusal(what: string): string {
  const entry = entryStillLoading();
  if (entry === undefined) return messages.inMicrotask(what);
  const shown = path.relative(process.cwd(), entry) || entry;
  return messages.inMicrotaskAtEntry(what, shown, underTsx() ? 'tsx' : 'loader');
}

/** The file name of the main module while it is still being evaluated, else undefined. */
function entryStillLoading(): string | undefined {
  const main = typeof require === 'function' ? require.main : undefined;
  return main !== undefined && !main.loaded ? main.filename : undefined;
}

/** Whether tsx's loader is in the process's options (`tsx app.ts` passes it as --import). */
function underTsx(): boolean {
  return process.execArgv.some((arg) => /(^|[\\/@=])tsx\b/.test(arg));
}
