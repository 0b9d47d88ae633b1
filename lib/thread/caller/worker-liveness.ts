/**
 * Whether a reactor thread's worker has died, read at once by the thread that spawned it, even
 * while that thread is blocked.
 *
 * Why: a worker killed without running JavaScript (out of memory under `resourceLimits`, or
 * terminated) tells nobody; its 'exit' event needs the spawning thread's event loop. So a caller
 * blocked in that very thread waited until its call's timeout, or for ever without one (callers
 * in other threads heard of it from the spawning thread's loop). The worker's native handle
 * reads its loop's idle time under the worker's mutex: -1 before its loop runs and once its
 * thread has stopped, at once (Node.js 20 to 26; out of memory and terminate() both seen within
 * one probe). So a worker seen alive once (after its host welcomed us) and reading -1 is dead.
 * The handle is Node's internal `kHandle` (found by the symbol's description, read
 * defensively); without it, the public `performance.eventLoopUtilization()` says the same, but
 * only once this thread's loop has turned since the worker came online.
 *
 * Context: the thread that spawned the worker (the only one that holds its `Worker`).
 */
import type { Worker } from 'node:worker_threads';
import { EXIT_CODE, HostState, STATE, type HostAddress } from '../transport/protocol';

/** How often a blocked caller asks whether its host's worker died, in ms. */
export const PROBE_MS = 50;
/** EXIT_CODE of a worker found dead by a probe, before its 'exit' event told the code. */
export const UNKNOWN_EXIT_CODE = -0x80000000;

/** What is read of the worker's native handle. */
interface LoopTimes {
  loopIdleTime(): number;
}

interface Watched {
  readonly worker: Worker;
  readonly times: LoopTimes | undefined;
  /** Its loop was seen running. */
  alive: boolean;
}

const watched = new Map<string, Watched>();

function loopTimesOf(worker: Worker): LoopTimes | undefined {
  const symbol = Object.getOwnPropertySymbols(worker).find((s) => s.description === 'kHandle');
  const handle: unknown =
    symbol === undefined ? undefined : (worker as unknown as Record<symbol, unknown>)[symbol];
  if (typeof handle !== 'object' || handle === null) return undefined;
  return typeof (handle as Partial<LoopTimes>).loopIdleTime === 'function'
    ? (handle as LoopTimes)
    : undefined;
}

/** The worker's loop idle time: -1 before it runs and once it has stopped. */
function idleTime(entry: Watched): number {
  try {
    return entry.times?.loopIdleTime() ?? entry.worker.performance.eventLoopUtilization().idle;
  } catch {
    return 0;
  }
}

/** Watches the worker of host `id` until its 'exit' event. */
export function watchWorker(id: string, worker: Worker): void {
  watched.set(id, { worker, times: loopTimesOf(worker), alive: false });
  worker.once('exit', () => watched.delete(id));
}

/** Called once the worker's host has welcomed us: its loop runs. */
export function workerOnline(id: string): void {
  const entry = watched.get(id);
  if (entry !== undefined) entry.alive = idleTime(entry) >= 0;
}

/** Whether this thread spawned host `id`'s worker and that worker's thread has stopped. */
export function workerDied(id: string): boolean {
  const entry = watched.get(id);
  if (entry === undefined) return false;
  if (idleTime(entry) >= 0) {
    entry.alive = true;
    return false;
  }
  return entry.alive;
}

/**
 * If this thread spawned the host's worker and it died without telling, marks the host exited
 * (for every thread: the state is shared) and returns true.
 */
export function markIfDied(address: HostAddress): boolean {
  if (!workerDied(address.id)) return false;
  const state = new Int32Array(address.state);
  if (Atomics.load(state, STATE) !== HostState.running) return false;
  Atomics.store(state, EXIT_CODE, UNKNOWN_EXIT_CODE);
  return (
    Atomics.compareExchange(state, STATE, HostState.running, HostState.exited) === HostState.running
  );
}
