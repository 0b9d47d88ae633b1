/**
 * How a reactor thread's worker starts: the entry module it loads, the TypeScript loader it
 * registers first when the application runs under one, and the tiny bootstrap that does both and
 * reports a failure to load them at once.
 *
 * Context: the thread that starts the worker (ReactorThread.start()).
 */
import * as path from 'node:path';
import { HostState, REPLIES, STATE } from '../transport/protocol';

/** The worker's entry module: a .ts sibling when this library itself runs from sources. */
export function workerEntry(): string {
  const extension = path.extname(__filename) === '.ts' ? '.ts' : '.js';
  return path.join(__dirname, `worker-entry${extension}`);
}

/**
 * The TypeScript loader the reactor thread needs, if the application runs under one. Node 20
 * does not apply module hooks registered with `--import` (tsx's ESM loader) to a worker's own
 * modules, so the worker registers tsx's CommonJS hook itself before loading anything; service
 * modules are then loaded with require() (import() for ES modules).
 */
export function typeScriptLoader(execArgv: readonly string[]): string | undefined {
  const underTsx =
    path.extname(__filename) === '.ts' || execArgv.some((arg) => /(^|[\\/@=])tsx\b/.test(arg));
  if (!underTsx) return undefined;
  try {
    return require.resolve('tsx/cjs', { paths: [process.cwd(), __dirname] });
  } catch {
    return undefined;
  }
}

/**
 * A tiny CommonJS bootstrap, so that the loader is in place before the entry is loaded. If either
 * fails to load, it tells the waiting caller at once (state 'crashed', the error as the cause)
 * instead of leaving it to its start timeout.
 */
export const BOOTSTRAP = `
const { workerData, BroadcastChannel } = require('node:worker_threads');
try {
  if (workerData.loader !== undefined) require(workerData.loader);
  require(workerData.entry);
} catch (error) {
  // The error itself crosses (structured clone keeps an Error's name, message and stack; the
  // caller's decodeThrown() takes it as it is): crochet's own encoder may be what failed to load.
  const channel = new BroadcastChannel(workerData.first.channel);
  try {
    channel.postMessage({ k: 'down', state: ${HostState.crashed}, error });
  } catch {
    channel.postMessage({ k: 'down', state: ${HostState.crashed}, error: new Error(String(error)) });
  }
  channel.close();
  Atomics.store(new Int32Array(workerData.address.state), ${STATE}, ${HostState.crashed});
  const control = new Int32Array(workerData.first.control);
  Atomics.add(control, ${REPLIES}, 1);
  Atomics.notify(control, ${REPLIES});
  throw error;
}`;
