/**
 * The cost of a blocking call into another thread, side by side in one run:
 *
 * - crochet reactor thread: `reactorThread.load(...).create(...)`, a blocking facade method
 *   whose body is `async add(a, b) { return a + b }`, with its default spin budgets;
 * - the same with spinning off (`spinMicros: { caller: 0, host: 0 }`): every call sleeps;
 * - synckit: `createSyncFn` on the same body;
 * - reference: a hand-written MessagePort + Atomics.wait worker (bench/thread-reference-worker);
 * - in-thread `@waitFor` (deasync pumping this thread's own loop), for scale.
 *
 * Then payload echoes (a 100 KB string, an array of 1,000 small objects), an I/O-bound call (a
 * body that awaits a round trip on a loopback TCP connection to an echo server in another
 * process, against a plain `await` of the same round trip in the main thread), and CPU: a caller
 * blocked for 1 s, and an idle reactor thread for 1 s.
 *
 * Every table is measured in interleaved rounds (one batch of each contender per round, the same
 * batch size for all), and the trivial call also apart (each batch after 20 ms of idleness, in a
 * rotating order: what a program making only these calls sees, see measureApart); a row shows the median and 90th percentile of its batches' per-call times,
 * and the CPU time the whole process (every thread) used per call. A benchmark measures: it never
 * asserts.
 *
 * Run: `node dist/bench/thread-call-cost.js [--busy]`. `--busy` measures on a machine short of
 * cores: it starts a child process that keeps one core busy (`node -e 'for(;;);'`) for the whole
 * run, and kills it (by its pid) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { createSyncFn } from 'synckit';
import { ReactorThread, setup, waitFor } from '../lib';
import type * as EchoModule from '../spec/thread/fixtures/echo-service';
import type * as IoModule from './thread-io-service';
import { TcpEcho } from './thread-io-service';
import {
  formatNs,
  measureApart,
  measureRounds,
  measureRoundsAsync,
  printTable,
  type Contender,
  type RoundsMeasurement,
} from './measure';

const fixture = path.join(__dirname, '..', 'spec', 'thread', 'fixtures', 'echo-service.js');
const ioService = path.join(__dirname, 'thread-io-service.js');
const echoServer = path.join(__dirname, 'thread-echo-server.js');

const NO_SPIN = { caller: 0, host: 0 } as const;

function referenceCall(): { call: (a: number, b: number) => number; worker: Worker } {
  const control = new SharedArrayBuffer(8);
  const counters = new Int32Array(control);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(__dirname, 'thread-reference-worker.js'), {
    workerData: { port: port2, control },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  let seen = 0;
  return {
    worker,
    call(a, b) {
      port1.postMessage({ a, b });
      while (Atomics.load(counters, 1) === seen) Atomics.wait(counters, 1, seen);
      seen = Atomics.load(counters, 1);
      return (receiveMessageOnPort(port1) as { message: number }).message;
    },
  };
}

class InThread {
  @waitFor(1_000)
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }
}

function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Children that must not outlive the run: killed by pid on the way out, whatever happens. */
const children = new Set<ChildProcess>();
function killChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill();
  children.clear();
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** `--busy`: another process keeps one core busy for the whole run. */
function startBusyProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' });
  children.add(child);
  return child;
}

/** The echo server of the I/O-bound row, in its own process; resolves with its port. */
async function startEchoServer(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [echoServer], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  return { port, child };
}

/** Idle time of all CPUs (ms) and this process's CPU time (ms), to tell what else ran. */
function cpuClocks(): { idle: number; own: number; at: number } {
  let idle = 0;
  for (const cpu of os.cpus()) idle += cpu.times.idle;
  const own = process.cpuUsage();
  return { idle, own: (own.user + own.system) / 1000, at: performance.now() };
}

/** Cores that other processes kept busy between two readings (0 on an idle machine). */
function otherLoad(from: ReturnType<typeof cpuClocks>, to: ReturnType<typeof cpuClocks>): number {
  const wall = to.at - from.at;
  const usable = (to.idle - from.idle + to.own - from.own) / wall;
  return Math.max(0, os.cpus().length - usable);
}

const us = (ns: number): string => formatNs(ns);
const ratio = (x: number, y: number): string => `${(y / x).toFixed(2)}x`;

/**
 * Rows of one table: median, p90, CPU per call, and the ratio of medians with the `base` row
 * (`base / this` when `baseOver`, else `this / base`).
 */
function rows(
  results: Map<string, RoundsMeasurement>,
  base: string,
  baseOver: boolean,
): string[][] {
  const reference = results.get(base);
  return [...results].map(([name, m]) => [
    name,
    us(m.nsPerOp),
    us(m.p90),
    us(m.cpuNsPerOp),
    reference === undefined
      ? ''
      : baseOver
        ? ratio(m.nsPerOp, reference.nsPerOp)
        : ratio(reference.nsPerOp, m.nsPerOp),
  ]);
}

async function main(): Promise<void> {
  const busy = process.argv.includes('--busy') ? startBusyProcess() : undefined;
  const started = cpuClocks();
  setup();
  const thread = new ReactorThread({ name: 'bench' });
  const threadNoSpin = new ReactorThread({ name: 'bench-no-spin', spinMicros: NO_SPIN });
  const echo = thread.load<typeof EchoModule>(fixture).create('EchoService', []);
  const echoNoSpin = threadNoSpin.load<typeof EchoModule>(fixture).create('EchoService', []);
  const synckit = createSyncFn<(op: string, a: unknown, b?: unknown) => Promise<unknown>>(
    path.join(__dirname, 'thread-synckit-worker.js'),
  );
  const reference = referenceCall();
  const inThread = new InThread() as unknown as { add(a: number, b: number): number };

  // Half a second of calls first: long enough for the spin budgets to settle (with --busy, for
  // the reactor threads to find that no core is to spare), as they have in a running program.
  const settleUntil = performance.now() + 500;
  while (performance.now() < settleUntil) {
    echo.add(1, 2);
    echoNoSpin.add(1, 2);
  }

  const CROCHET = 'crochet reactor thread';
  const NO_SPINNING = 'crochet, spinning off';
  const SYNCKIT = 'synckit';
  const trivial = measureRounds(
    [
      { name: CROCHET, op: () => echo.add(1, 2) },
      { name: NO_SPINNING, op: () => echoNoSpin.add(1, 2) },
      { name: SYNCKIT, op: () => synckit('add', 1, 2) },
      { name: 'Atomics.wait + worker (reference)', op: () => reference.call(1, 2) },
      { name: 'in-thread @waitFor (deasync)', op: () => inThread.add(1, 2) },
    ],
    2_000,
    15,
  );
  // The same calls, each contender's batches apart after a pause (measureApart says why).
  const trivialApart = measureApart(
    [
      { name: CROCHET, op: () => echo.add(1, 2) },
      { name: NO_SPINNING, op: () => echoNoSpin.add(1, 2) },
      { name: SYNCKIT, op: () => synckit('add', 1, 2) },
      { name: 'Atomics.wait + worker (reference)', op: () => reference.call(1, 2) },
    ],
    2_000,
    9,
    20,
  );

  // Before the payload rows, whose garbage would otherwise be collected (on the process's CPU
  // clock) during these seconds: V8's memory reducer runs a GC in every thread that allocated
  // much, a few seconds after it stops (measured: 9-23 ms in one run in two).
  const blockedCpu = cpuMs(() => echo.sleep(1_000));
  // The main thread sleeps; only the reactor threads (and the other idle workers) could run.
  const idleCpu = cpuMs(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000));

  const text = 'x'.repeat(100_000);
  const objects = Array.from({ length: 1_000 }, (_, i) => ({ id: i, name: `item ${i}`, ok: true }));
  const payload = (value: unknown): Contender[] => [
    { name: CROCHET, op: () => echo.echo(value) },
    { name: NO_SPINNING, op: () => echoNoSpin.echo(value) },
    { name: SYNCKIT, op: () => synckit('echo', value) },
  ];
  const textRows = measureRounds(payload(text), 200, 9);
  const objectRows = measureRounds(payload(objects), 20, 9);

  // I/O-bound: the body awaits a loopback TCP round trip to another process.
  const server = await startEchoServer();
  const io = thread.load<typeof IoModule>(ioService).create('TcpEcho', [server.port]);
  const ioNoSpin = threadNoSpin.load<typeof IoModule>(ioService).create('TcpEcho', [server.port]);
  io.connect();
  ioNoSpin.connect();
  const local = new TcpEcho(server.port);
  await local.connect();
  const PLAIN_AWAIT = 'plain await in the main thread';
  const ioRows = await measureRoundsAsync(
    [
      { name: CROCHET, op: () => io.roundTrip() },
      { name: NO_SPINNING, op: () => ioNoSpin.roundTrip() },
      { name: PLAIN_AWAIT, op: () => local.roundTrip() },
    ],
    500,
    9,
  );
  local.close();
  io.close();
  ioNoSpin.close();
  const other = otherLoad(started, cpuClocks());

  const cpus = os.availableParallelism();
  console.log(
    `Node ${process.version}, ${process.platform}-${process.arch}, ${cpus} CPU${cpus === 1 ? '' : 's'}` +
      `, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    `${busy === undefined ? 'Quiet run' : `Busy run: another process (pid ${busy.pid}) keeps one core busy`}` +
      `; other processes used ${other.toFixed(2)} cores on average during the run` +
      `${busy === undefined ? '' : ' (the busy one included)'}.`,
  );
  console.log(
    'Median and 90th percentile of batches in interleaved rounds; CPU: the whole process, every thread.',
  );
  printTable(
    ['trivial async call', 'median', 'p90', 'CPU per call', 'synckit / this'],
    rows(trivial, SYNCKIT, true),
  );
  printTable(
    [
      'trivial call, apart (20 ms idle before each batch)',
      'median',
      'p90',
      'CPU per call',
      'synckit / this',
    ],
    rows(trivialApart, SYNCKIT, true),
  );
  printTable(
    ['echo 100 KB string', 'median', 'p90', 'CPU per call', 'synckit / this'],
    rows(textRows, SYNCKIT, true),
  );
  printTable(
    ['echo 1,000 small objects', 'median', 'p90', 'CPU per call', 'synckit / this'],
    rows(objectRows, SYNCKIT, true),
  );
  printTable(
    ['loopback TCP round trip (I/O)', 'median', 'p90', 'CPU per call', 'this / plain await'],
    rows(ioRows, PLAIN_AWAIT, false),
  );
  printTable(
    ['CPU', 'ms'],
    [
      ['caller blocked 1 s in a call (whole process)', blockedCpu.toFixed(1)],
      ['idle reactor threads, 1 s (whole process)', idleCpu.toFixed(1)],
    ],
  );
  server.child.stdin?.end();
  killChildren();
  void thread.stop();
  void threadNoSpin.stop();
  void reference.worker.terminate();
}

void main();
