/** Tiny measurement helpers for the benchmarks: medians of repeated timed batches. */
import * as os from 'node:os';
import { callContextMechanism } from '../lib/core/call-context';

export interface Measurement {
  /** Median nanoseconds per operation over the batches. */
  readonly nsPerOp: number;
  /** 90th percentile of the batches' nanoseconds per operation. */
  readonly p90: number;
}

/** Median and 90th percentile of sorted batch samples. */
function summarise(samples: number[]): Measurement {
  samples.sort((x, y) => x - y);
  return {
    nsPerOp: samples[Math.floor(samples.length / 2)] ?? Number.NaN,
    p90: samples[Math.floor(samples.length * 0.9)] ?? Number.NaN,
  };
}

/** Runs `op` in `batches` batches of `perBatch` calls after a warm-up; reports the median. */
export function measure(op: () => unknown, perBatch = 20_000, batches = 15): Measurement {
  for (let i = 0; i < perBatch; i += 1) op();
  const samples: number[] = [];
  for (let b = 0; b < batches; b += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i += 1) op();
    samples.push(Number(process.hrtime.bigint() - start) / perBatch);
  }
  return summarise(samples);
}

/** Same for an async operation, awaited one after another. */
export async function measureAsync(
  op: () => Promise<unknown>,
  perBatch = 20_000,
  batches = 15,
): Promise<Measurement> {
  for (let i = 0; i < perBatch; i += 1) await op();
  const samples: number[] = [];
  for (let b = 0; b < batches; b += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i += 1) await op();
    samples.push(Number(process.hrtime.bigint() - start) / perBatch);
  }
  return summarise(samples);
}

export interface Distribution {
  /** Median, in ns. */
  readonly p50: number;
  /** 90th percentile, in ns. */
  readonly p90: number;
  /** Arithmetic mean, in ns. */
  readonly mean: number;
}

/** Median, 90th percentile and mean of individual samples (e.g. per-call times, in ns). */
export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return { p50: at(0.5), p90: at(0.9), mean };
}

/** One of several operations measured side by side (measureRounds). */
export interface Contender {
  readonly name: string;
  /** One call; a promise it returns is awaited (measureRoundsAsync only). */
  readonly op: () => unknown;
}

/** A contender's result: its batches' per-call times, and the process's CPU time per call. */
export interface RoundsMeasurement extends Measurement {
  /** Median over the batches of the process's CPU time (user + system, all threads) per call. */
  readonly cpuNsPerOp: number;
}

interface Samples {
  readonly times: number[];
  readonly cpu: number[];
}

function summariseRounds(samples: Samples): RoundsMeasurement {
  const { nsPerOp, p90 } = summarise(samples.times);
  return { nsPerOp, p90, cpuNsPerOp: summarise(samples.cpu).nsPerOp };
}

/**
 * Interleaved rounds: each round runs one batch of `perBatch` calls of every contender in turn
 * (the same batch size for all), so that a change in the machine's state during the run (another
 * process, frequency, placement of threads) touches every contender alike. One warm-up batch
 * each first. Synchronous calls only (an in-thread blocking call cannot run in a microtask).
 */
export function measureRounds(
  contenders: readonly Contender[],
  perBatch: number,
  rounds: number,
): Map<string, RoundsMeasurement> {
  const samples = new Map<string, Samples>(contenders.map((c) => [c.name, { times: [], cpu: [] }]));
  for (const { op } of contenders) for (let i = 0; i < perBatch; i += 1) op();
  for (let round = 0; round < rounds; round += 1) {
    for (const contender of contenders) timeBatch(samples, contender, perBatch);
  }
  return new Map([...samples].map(([name, s]) => [name, summariseRounds(s)]));
}

/**
 * Apart: every batch of a contender runs after `pauseMs` of idleness, with the contenders taken
 * in a rotating order, the same batch size for all. Interleaved rounds hand each batch a machine
 * warmed by the batch before it: on a virtual machine, a contender that spins keeps the vCPUs
 * from halting, and the next contender's wake-ups are then several times cheaper than in a
 * program that makes these calls alone (measured: synckit 8-25 µs interleaved against 52-56 µs
 * alone, Node.js 24 on the 2-vCPU development VM). This shows the other case.
 */
export function measureApart(
  contenders: readonly Contender[],
  perBatch: number,
  rounds: number,
  pauseMs: number,
): Map<string, RoundsMeasurement> {
  const samples = new Map<string, Samples>(contenders.map((c) => [c.name, { times: [], cpu: [] }]));
  const idle = new Int32Array(new SharedArrayBuffer(4));
  for (const { op } of contenders) for (let i = 0; i < perBatch; i += 1) op();
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < contenders.length; k += 1) {
      const contender = contenders[(round + k) % contenders.length];
      if (contender === undefined) continue;
      Atomics.wait(idle, 0, 0, pauseMs);
      timeBatch(samples, contender, perBatch);
    }
  }
  return new Map([...samples].map(([name, s]) => [name, summariseRounds(s)]));
}

/** measureRounds for contenders some of whose calls return promises (each call is awaited). */
export async function measureRoundsAsync(
  contenders: readonly Contender[],
  perBatch: number,
  rounds: number,
): Promise<Map<string, RoundsMeasurement>> {
  const samples = new Map<string, Samples>(contenders.map((c) => [c.name, { times: [], cpu: [] }]));
  for (const { op } of contenders) for (let i = 0; i < perBatch; i += 1) await op();
  for (let round = 0; round < rounds; round += 1) {
    for (const { name, op } of contenders) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < perBatch; i += 1) await op();
      record(samples.get(name), start, cpu, perBatch);
    }
  }
  return new Map([...samples].map(([name, s]) => [name, summariseRounds(s)]));
}

/** One timed batch of `perBatch` synchronous calls, recorded under the contender's name. */
function timeBatch(samples: Map<string, Samples>, { name, op }: Contender, perBatch: number): void {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < perBatch; i += 1) op();
  record(samples.get(name), start, cpu, perBatch);
}

function record(
  samples: Samples | undefined,
  start: bigint,
  cpu: NodeJS.CpuUsage,
  perBatch: number,
): void {
  const elapsed = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  samples?.times.push(elapsed / perBatch);
  samples?.cpu.push(((used.user + used.system) * 1000) / perBatch);
}

/** Microseconds with three significant digits or more: 0.072 µs, 1.49 µs, 58.2 µs. */
export function formatNs(ns: number): string {
  const digits = ns >= 10_000 ? 1 : ns >= 1_000 ? 2 : 3;
  return `${(ns / 1000).toFixed(digits)} µs`;
}

/** Prints a Markdown table. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}

/** What the figures were measured on: Node.js, context tracking, CPUs and how busy they were. */
export function describeConditions(): string[] {
  const cpus = os.availableParallelism();
  const load = os.loadavg();
  const lines = [
    `Node ${process.version} (${process.platform}-${process.arch}); call context: ${
      callContextMechanism === 'frames' ? 'async context frames' : 'async_hooks'
    }`,
    `Machine: ${cpus} CPU${cpus === 1 ? '' : 's'}, load average ${load
      .map((l) => l.toFixed(2))
      .join(' / ')} (1 / 5 / 15 min)`,
  ];
  if ((load[0] ?? 0) > cpus / 2) {
    lines.push(
      `Warning: the machine is busy (load ${(load[0] ?? 0).toFixed(2)}): figures are noisy.`,
    );
  }
  return lines;
}
