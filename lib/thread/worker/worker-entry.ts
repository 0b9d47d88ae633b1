/**
 * The script a reactor thread's worker runs: a ServiceHost on the worker's event loop, with
 * output capture (stdout/stderr written while a blocking call runs are replayed by its caller,
 * in order, before the call returns) and fault reporting (an uncaught exception or an exit
 * releases every caller at once through the shared host state).
 *
 * Context: only ever loaded as a worker's main script by ReactorThread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { noSetup, reactor } from '../../global';
import { ServiceHost } from '../host/host';
import type { ConnectRequest, HostAddress } from '../transport/protocol';
import { encodeThrown } from '../transport/wire';
import { queueRealMicrotask } from '../../core/clock';

/** What ReactorThread passes in workerData. */
export interface ReactorWorkerData {
  readonly address: HostAddress;
  readonly first: ConnectRequest;
  readonly spinMicros: number;
  /** This module's path (the bootstrap requires it). */
  readonly entry: string;
  /** A module to require first: the TypeScript loader's CommonJS hook, under tsx. */
  readonly loader: string | undefined;
}

/** A report for the application's logger, sent to the thread that started this one. */
export interface ReportMessage {
  readonly k: 'report';
  readonly message: string;
  readonly error: unknown;
}

/** Reports go to the application's logger, in the thread that started this one. */
function forwardReport(message: string, error?: unknown): void {
  const report: ReportMessage = {
    k: 'report',
    message,
    error: error === undefined ? undefined : encodeThrown(error),
  };
  parentPort?.postMessage(report);
}

const data = workerData as ReactorWorkerData;
const host = new ServiceHost(
  { name: data.address.name, spinMicros: data.spinMicros, ownsThread: true, report: forwardReport },
  data.address,
);

// The thread's own in-thread reactor is managed by the thread: nested decorated calls work, and
// its shutdown hooks run when the thread stops. Its reports (a failing hook) are forwarded too.
if (reactor.state === 'idle') noSetup();
reactor.setLogger({
  error: (message, error) =>
    forwardReport(
      `${message.replace(/:$/, '')} (in reactor thread '${data.address.name}'):`,
      error,
    ),
});

type Write = typeof process.stdout.write;

function capture(stream: NodeJS.WriteStream, fd: 1 | 2): void {
  const original = stream.write.bind(stream) as Write;
  const write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const caller = host.blockingCaller();
    if (caller !== undefined && (typeof chunk === 'string' || chunk instanceof Uint8Array)) {
      try {
        caller.post({ k: 'out', fd, chunk });
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        if (callback !== undefined) queueRealMicrotask(callback);
        return true;
      } catch {
        // Fall through to the thread's own stream.
      }
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  stream.write = write as Write;
}

capture(process.stdout, 1);
capture(process.stderr, 2);

process.on('uncaughtException', (error) => {
  host.crash(error);
  process.exit(1);
});
process.on('exit', (code) => host.exited(code));

host.accept(data.first);

// Orderly stop, asked for by ReactorThread.stop(): pending calls fail with ReactorStopped, the
// thread's own shutdown hooks run, then the thread ends.
parentPort?.on('message', (message: unknown) => {
  if ((message as { k?: unknown } | null)?.k !== 'stop') return;
  host.stop();
  // The services this thread constructed are closed here, in their own thread, before its own
  // shutdown hooks run (each within its limit; failures are reported, never thrown).
  void host
    .dispose()
    .then(() => reactor.stop())
    .finally(() => process.exit(0));
});
parentPort?.unref();
