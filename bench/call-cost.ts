/**
 * `npm run bench`: the per-call cost of a blocking call, side by side in one run.
 *
 * Rows: raw deasync pumping of the same promise (the floor this library builds on), `@waitFor`
 * on a decorated method, and a plain `await` (what async code pays, for scale). Two bodies:
 * (a) an async body that is already resolved, (b) one that resolves on the next loop turn
 * (setImmediate). The ratio columns are the library's cost divided by raw deasync's (the goal:
 * at most 1.50x), and a generated facade method's cost divided by the decorated method's.
 *
 * Timings on a busy machine are noisy: the header shows the load average next to the number of
 * CPUs; compare medians of several runs made while the machine is quiet.
 */
import { createRequire } from 'node:module';
import { facade, setup, waitFor } from '../lib';
import {
  describeConditions,
  formatNs,
  measure,
  measureAsync,
  printTable,
  type Measurement,
} from './measure';

const deasync = createRequire(__filename)('deasync') as { loopWhile(pred: () => boolean): void };

async function resolvedBody(x: number): Promise<number> {
  return x + 1;
}

function nextTurnBody(x: number): Promise<number> {
  return new Promise((resolve) => setImmediate(resolve, x + 1));
}

/** What a user of deasync alone writes: pump until the promise settles. */
function rawDeasync<T>(promise: Promise<T>): T {
  let done = false;
  let value: T | undefined;
  promise.then((v) => {
    value = v;
    done = true;
  });
  deasync.loopWhile(() => !done);
  return value as T;
}

class Service {
  @waitFor(1_000)
  resolved(x: number): Promise<number> {
    return resolvedBody(x);
  }

  @waitFor(1_000)
  nextTurn(x: number): Promise<number> {
    return nextTurnBody(x);
  }
}

/** The same two bodies as a plain async service, reached through a generated facade. */
class PlainService {
  resolved(x: number): Promise<number> {
    return resolvedBody(x);
  }

  nextTurn(x: number): Promise<number> {
    return nextTurnBody(x);
  }
}

const PlainServiceFacade = facade(PlainService, { timeoutMs: 1_000 });

const cases = [
  { label: '(a) already resolved', body: resolvedBody, perBatch: 50_000 },
  { label: '(b) next loop turn', body: nextTurnBody, perBatch: 20_000 },
] as const;

interface Row {
  readonly cleanRaw: Measurement;
  readonly hookedRaw: Measurement;
  readonly ours: Measurement;
  readonly viaFacade: Measurement;
}

/**
 * Raw deasync is measured twice: before the library's first call, and after it. The library
 * tracks the call context with AsyncLocalStorage (so currentSignal() works after an await);
 * once enabled, Node 20's async hooks add a cost to every promise in the process, raw deasync's
 * included. The first figure is the floor without context tracking, the second is the same work
 * under the same conditions as the library's.
 */
function syncRows(): Row[] {
  const service = new Service() as unknown as {
    resolved(x: number): number;
    nextTurn(x: number): number;
  };
  const blocking = new PlainServiceFacade(new PlainService());
  const calls = [(x: number) => service.resolved(x), (x: number) => service.nextTurn(x)];
  const facadeCalls = [(x: number) => blocking.resolved(x), (x: number) => blocking.nextTurn(x)];
  const cleanRaw = cases.map((c) => measure(() => rawDeasync(c.body(1)), c.perBatch));
  const ours = cases.map((c, i) => measure(() => calls[i]?.(1), c.perBatch));
  const viaFacade = cases.map((c, i) => measure(() => facadeCalls[i]?.(1), c.perBatch));
  const hookedRaw = cases.map((c) => measure(() => rawDeasync(c.body(1)), c.perBatch));
  return cases.map((_, i) => ({
    cleanRaw: cleanRaw[i] as Measurement,
    hookedRaw: hookedRaw[i] as Measurement,
    ours: ours[i] as Measurement,
    viaFacade: viaFacade[i] as Measurement,
  }));
}

/** `ours` divided by `base`, as in "1.27x". */
function ratio(ours: Measurement, base: Measurement): string {
  return `${(ours.nsPerOp / base.nsPerOp).toFixed(2)}x`;
}

async function main(): Promise<void> {
  // Read before measuring, so the benchmark's own work does not count as load.
  const conditions = describeConditions();
  setup();
  // Blocking is impossible inside a microtask (and raw deasync would spin there), so the
  // synchronous rows run from a timer callback, as a CLI step or a sync hook would.
  const rows = await new Promise<Row[]>((resolve) => setTimeout(() => resolve(syncRows()), 0));
  const table: string[][] = [];
  for (const [i, row] of rows.entries()) {
    const c = cases[i] ?? cases[0];
    const awaited = await measureAsync(() => c.body(1), c.perBatch);
    table.push([
      c.label,
      formatNs(row.cleanRaw.nsPerOp),
      formatNs(row.hookedRaw.nsPerOp),
      formatNs(row.ours.nsPerOp),
      ratio(row.ours, row.hookedRaw),
      ratio(row.ours, row.cleanRaw),
      formatNs(row.viaFacade.nsPerOp),
      ratio(row.viaFacade, row.ours),
      formatNs(awaited.nsPerOp),
    ]);
  }
  for (const line of conditions) console.log(line);
  console.log('Per call, median of 15 batches; goal: @waitFor at most 1.50x raw deasync.');
  printTable(
    [
      'body',
      'raw deasync (no hooks)',
      'raw deasync (same process)',
      '@waitFor',
      '@waitFor / raw (same process)',
      '@waitFor / raw (no hooks)',
      'facade',
      'facade / @waitFor',
      'plain await',
    ],
    table,
  );
}

void main();
