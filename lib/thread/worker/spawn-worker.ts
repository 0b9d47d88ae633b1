/**
 * Starting a reactor thread's worker: the bootstrap (worker-bootstrap.ts) with what the entry
 * needs, the shared state marked 'exited' when the worker dies without telling (terminated, out
 * of memory; noticed when the spawning thread's loop is free, or by its blocked callers at once:
 * caller/worker-liveness.ts), and the worker's reports passed
 * to the application's logger. The worker is unref'd: a reactor thread never keeps the process
 * alive.
 *
 * Context: the thread that starts the reactor thread.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Report } from '../../core/logger';
import {
  EXIT_CODE,
  HostState,
  STATE,
  type ConnectRequest,
  type HostAddress,
} from '../transport/protocol';
import { decodeThrown } from '../transport/wire';
import { watchWorker } from '../caller/worker-liveness';
import { BOOTSTRAP, typeScriptLoader, workerEntry } from './worker-bootstrap';
import type { ReactorWorkerData, ReportMessage } from './worker-entry';

export interface WorkerSettings {
  readonly address: HostAddress;
  /** The spawning thread's first connection, opened by the worker as it starts. */
  readonly first: ConnectRequest;
  readonly hostSpinMicros: number;
  /** Node options for the worker; the process's own when undefined. */
  readonly execArgv: readonly string[] | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
  /** Where the worker's reports go (the application's logger). */
  readonly report: Report;
}

export function spawnReactorWorker(settings: WorkerSettings): {
  readonly worker: Worker;
  /** Settles when the worker has exited. */
  readonly exited: Promise<void>;
} {
  const { address, execArgv } = settings;
  const workerData: ReactorWorkerData = {
    address,
    first: settings.first,
    spinMicros: settings.hostSpinMicros,
    entry: workerEntry(),
    loader: typeScriptLoader(execArgv ?? process.execArgv),
  };
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData,
    ...(execArgv === undefined ? {} : { execArgv: [...execArgv] }),
    ...(settings.resourceLimits === undefined ? {} : { resourceLimits: settings.resourceLimits }),
    name: `crochet ${address.name}`,
  });
  worker.on('exit', (code) => {
    const state = new Int32Array(address.state);
    if (Atomics.load(state, STATE) <= HostState.running) {
      Atomics.store(state, EXIT_CODE, code);
      Atomics.store(state, STATE, HostState.exited);
    }
  });
  worker.on('error', () => undefined);
  watchWorker(address.id, worker);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: ReportMessage) => {
    if (message?.k === 'report') settings.report(message.message, decodeThrown(message.error));
  });
  // After the listener, which refs the worker's port.
  worker.unref();
  return { worker, exited };
}
