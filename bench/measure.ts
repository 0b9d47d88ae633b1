/** Tiny measurement helpers for the benchmarks: medians of repeated timed batches. */

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
