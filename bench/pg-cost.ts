/**
 * `npm run bench:pg`: what a real database round trip costs through each way of calling it, in
 * one run, against a private PostgreSQL server (samples/postgres/private-server.ts):
 *
 * - (a) `await pool.query('SELECT $1::int')` directly (the async baseline);
 * - (b) the in-thread reactor: a blocking facade over the service of spec/integration/fixtures/
 *   pg-service.ts (a class owning its pool), whose method runs the same query;
 * - (c) a reactor thread hosting that service, which owns its pool there.
 *
 * Each makes the same number of sequential calls (default 1,000 after 200 of warm-up each), in
 * interleaved rounds (default 5 rounds of 200, the order rotating from round to round), so that
 * drift in the machine's state spreads over all three. Printed per call: p50, p90 and mean of
 * the individual call times, their ratios to (a), and this process's CPU time (all its threads,
 * the reactor thread included; not the server's).
 *
 * `--busy` keeps the other core busy for the whole run with a child process spinning
 * (`node -e 'for(;;);'`), killed by its pid at the end, on error too. `--calls N` and
 * `--rounds R` change the counts (N must be a multiple of R). `--no-spin` runs (c) with both
 * spin-before-sleep budgets at 0.
 *
 * A benchmark measures; it asserts nothing about times.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Pool } from 'pg';
import { ReactorThread, facade, setup, type Blocking } from '../lib';
import { endPool } from '../samples/postgres/pg-helpers';
import { startPrivateServer, type PrivateServer } from '../samples/postgres/private-server';
import type * as PgModule from '../spec/integration/fixtures/pg-service';
import { PgService } from '../spec/integration/fixtures/pg-service';
import { DEFAULT_CALLER_SPIN_US } from '../lib/thread/caller/reply-wait';
import {
  describeConditions,
  distribution,
  formatNs,
  printTable,
  type Distribution,
} from './measure';

interface Options {
  readonly busy: boolean;
  readonly noSpin: boolean;
  readonly calls: number;
  readonly rounds: number;
  readonly warmUp: number;
}

function parseOptions(argv: readonly string[]): Options {
  let busy = false;
  let noSpin = false;
  let calls = 1_000;
  let rounds = 5;
  const count = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`${flag} needs a whole number ≥ 1, got ${JSON.stringify(value)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--busy') busy = true;
    else if (arg === '--no-spin') noSpin = true;
    else if (arg === '--calls') calls = count(arg, argv[(i += 1)]);
    else if (arg === '--rounds') rounds = count(arg, argv[(i += 1)]);
    else
      throw new RangeError(
        `unknown argument ${JSON.stringify(arg)} (--busy, --no-spin, --calls N, --rounds R)`,
      );
  }
  if (calls % rounds !== 0) {
    throw new RangeError(`--calls ${calls} is not a multiple of --rounds ${rounds}`);
  }
  return { busy, noSpin, calls, rounds, warmUp: 200 };
}

/** One way of making the call, measured call by call. */
interface Contender {
  readonly label: string;
  /** Makes `count` calls in a row; returns each call's time in ns. */
  batch(count: number): Promise<number[]>;
  readonly times: number[];
  cpuMicros: number;
}

/** Runs a synchronous batch from a fresh macrotask: in-thread blocking is refused in microtasks. */
function fromMacrotask<T>(body: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(body());
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

function syncBatch(call: (n: number) => number): (count: number) => Promise<number[]> {
  return (count) =>
    fromMacrotask(() => {
      const times: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const start = process.hrtime.bigint();
        const value = call(i);
        times.push(Number(process.hrtime.bigint() - start));
        if (value !== i) throw new Error(`SELECT ${i}::int gave ${value}`);
      }
      return times;
    });
}

function contender(label: string, batch: (count: number) => Promise<number[]>): Contender {
  return { label, batch, times: [], cpuMicros: 0 };
}

/** A child process spinning on the other core; `stop()` kills it by its pid. */
function startBusyLoop(): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
    }
  };
  // Whatever ends this process (an error, a signal), the loop goes with it.
  process.once('exit', kill);
  return {
    stop() {
      process.off('exit', kill);
      kill();
      return exited;
    },
  };
}

function ratio(x: number, base: number): string {
  return `${(x / base).toFixed(2)}x`;
}

async function run(options: Options, server: PrivateServer): Promise<void> {
  setup();
  const direct = new Pool({ connectionString: server.connectionString, max: 4 });
  direct.on('error', (error) => console.error('bench: idle connection failed:', error));
  const service = new PgService(server.connectionString);
  class BlockingPg extends facade(PgService, { timeoutMs: 5_000 }) {}
  const inThread = new BlockingPg(service);
  const thread = new ReactorThread({
    name: 'bench-pg',
    ...(options.noSpin ? { spinMicros: { caller: 0, host: 0 } } : {}),
  });
  let hosted: Blocking<PgService> | undefined;
  try {
    hosted = thread
      .load<typeof PgModule>(
        path.join(__dirname, '..', 'spec', 'integration', 'fixtures', 'pg-service.js'),
      )
      .create('PgService', [server.connectionString]);
    const remote = hosted;
    const contenders = [
      contender('(a) await pool.query', async (count) => {
        const times: number[] = [];
        for (let i = 0; i < count; i += 1) {
          const start = process.hrtime.bigint();
          const result = await direct.query<{ value: number }>('SELECT $1::int AS value', [i]);
          times.push(Number(process.hrtime.bigint() - start));
          if (result.rows[0]?.value !== i)
            throw new Error(`SELECT ${i}::int gave ${result.rows[0]?.value}`);
        }
        return times;
      }),
      contender(
        '(b) in-thread facade',
        syncBatch((n) => inThread.value(n)),
      ),
      contender(
        '(c) reactor-thread facade',
        syncBatch((n) => remote.value(n)),
      ),
    ];
    for (const c of contenders) await c.batch(options.warmUp);
    const perRound = options.calls / options.rounds;
    for (let round = 0; round < options.rounds; round += 1) {
      for (let k = 0; k < contenders.length; k += 1) {
        const c = contenders[(round + k) % contenders.length];
        if (c === undefined) continue;
        const cpu = process.cpuUsage();
        const times = await c.batch(perRound);
        const used = process.cpuUsage(cpu);
        c.cpuMicros += used.user + used.system;
        c.times.push(...times);
      }
    }
    report(options, server, contenders);
  } finally {
    hosted?.close();
    await thread.stop();
    await service.close();
    await endPool(direct);
  }
}

function report(options: Options, server: PrivateServer, contenders: readonly Contender[]): void {
  const stats = new Map<Contender, Distribution>(contenders.map((c) => [c, distribution(c.times)]));
  const base = stats.get(contenders[0] as Contender) as Distribution;
  console.log(
    `${options.calls} sequential SELECT $1::int per way, after ${options.warmUp} of warm-up, in ` +
      `${options.rounds} interleaved rounds of ${options.calls / options.rounds} (order rotating); ` +
      `PostgreSQL on 127.0.0.1:${server.port}; ` +
      (options.busy
        ? 'the other core kept busy (node -e "for(;;);")'
        : 'quiet (nothing else started)') +
      `; reactor thread spin ${options.noSpin ? 'off' : `on (adaptive, up to ${DEFAULT_CALLER_SPIN_US} µs)`}`,
  );
  printTable(
    ['per call', 'p50', 'p90', 'mean', 'p50 / (a)', 'mean / (a)', 'CPU (this process)'],
    contenders.map((c) => {
      const d = stats.get(c) as Distribution;
      return [
        c.label,
        formatNs(d.p50),
        formatNs(d.p90),
        formatNs(d.mean),
        ratio(d.p50, base.p50),
        ratio(d.mean, base.mean),
        formatNs((c.cpuMicros * 1000) / c.times.length),
      ];
    }),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Read before anything starts, so the benchmark's own work does not count as load.
  const conditions = describeConditions();
  for (const line of conditions) console.log(line);
  const server = await startPrivateServer();
  let busy: { stop(): Promise<void> } | undefined;
  try {
    if (options.busy) busy = startBusyLoop();
    await run(options, server);
  } finally {
    await busy?.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error('bench:pg failed:', error instanceof RangeError ? error.message : error);
  process.exitCode = 1;
});
