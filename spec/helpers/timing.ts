/**
 * Timing tools for specs that must hold on a loaded machine (2 cores, another test run, a busy
 * loop on the other core): bounds are set relative to what the machine shows right now, or to
 * the least the guarded bug would cost, never as tight absolutes.
 *
 * - {@link schedulingNoise}: how late plain timers fire right now, the reference a "prompt"
 *   bound is scaled by;
 * - {@link promptBound}: the bound itself, with a floor for a quiet machine and a cap that keeps
 *   it below what the guarded bug would take;
 * - {@link cpuNow}: CPU time of the calling thread only, so that GC helper threads, worker
 *   threads and other processes do not count against a spec about one thread's spinning;
 * - {@link LOOP_CLOCK_SLACK_MS}: how early, by `performance.now()`, a Node timer may fire.
 */
import * as fs from 'node:fs';

/**
 * Node timers run on the loop's clock, which counts whole milliseconds (and may be a coarse
 * clock that lags by up to one more): measured with `performance.now()` from the moment it was
 * set, a `setTimeout(fn, ms)` may fire up to this much before `ms` has passed.
 */
export const LOOP_CLOCK_SLACK_MS = 2;

// Captured at load, so that specs that install fake timers still measure real time.
const realSetTimeout = setTimeout;
const realNow = performance.now.bind(performance);

/** Resolves with how late (ms, by `performance.now()`) a plain ref'd `setTimeout(ms)` fired. */
export function timerLateness(ms = 10): Promise<number> {
  const start = realNow();
  return new Promise((resolve) => {
    realSetTimeout(() => resolve(Math.max(0, realNow() - start - ms)), ms);
  });
}

/**
 * The machine's scheduling noise right now: the worst lateness of `samples` short timers in a
 * row (a few tens of ms in all).
 */
export async function schedulingNoise(samples = 3, ms = 10): Promise<number> {
  let worst = 0;
  for (let i = 0; i < samples; i += 1) worst = Math.max(worst, await timerLateness(ms));
  return worst;
}

export interface PromptBoundOptions {
  /** The bound on a quiet machine (default 100 ms). */
  readonly floorMs?: number;
  /** How many times the measured noise a prompt step may take (default 10). */
  readonly factor?: number;
  /**
   * Never more than this: keep it well below what the guarded bug would take (a spin to the
   * deadline, a missed wake-up), so that the bound still catches the bug however loaded the
   * machine is.
   */
  readonly capMs: number;
}

/** How long a step that should be prompt may take right now, given the measured `noiseMs`. */
export function promptBound(noiseMs: number, options: PromptBoundOptions): number {
  const { floorMs = 100, factor = 10, capMs } = options;
  return Math.min(capMs, Math.max(floorMs, factor * noiseMs));
}

// Linux: the calling thread's on-CPU time in ns, first field (brought up to date at least every
// scheduler tick).
const SCHEDSTAT = '/proc/thread-self/schedstat';

function readThreadCpuMs(): number | undefined {
  try {
    const ns = Number(fs.readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Which CPU clock {@link cpuNow} reads; decided once, so that differences stay meaningful. */
export const cpuClock: 'thread' | 'process' =
  readThreadCpuMs() === undefined ? 'process' : 'thread';

/**
 * CPU time used so far, in ms: by the calling thread alone where the platform says (Linux), else
 * by the whole process (`process.cpuUsage()`). Only differences of two readings mean anything.
 */
export function cpuNow(): number {
  if (cpuClock === 'thread') return readThreadCpuMs() ?? Number.NaN;
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
