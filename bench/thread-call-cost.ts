/**
 * The cost of a blocking call into another thread, side by side in one run:
 *
 * - crochet reactor thread: `reactorThread.load(...).create(...)`, a blocking facade method
 *   whose body is `async add(a, b) { return a + b }`;
 * - synckit: `createSyncFn` on the same body;
 * - reference: a hand-written MessagePort + Atomics.wait worker (bench/thread-reference-worker);
 * - in-thread `@waitFor` (deasync pumping this thread's own loop), for scale.
 *
 * Then payload echoes (a 100 KB string, an array of 1,000 small objects), ours against synckit,
 * and CPU: a caller blocked for 1 s, and an idle reactor thread for 1 s.
 *
 * Run: `node dist-t/bench/thread-call-cost.js` (or dist/...). Add `--no-spin` to run ours with
 * both spin budgets at 0.
 */
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { createSyncFn } from 'synckit';
import { ReactorThread, setup, waitFor } from '../lib';
import type * as EchoModule from '../spec/thread/fixtures/echo-service';
import { formatNs, measure, printTable } from './measure';

const fixture = path.join(__dirname, '..', 'spec', 'thread', 'fixtures', 'echo-service.js');

/** Median and 90th percentile of per-call times over batches, in ns. */
function time(op: () => unknown, perBatch: number, batches = 15): { median: number; p90: number } {
  const { nsPerOp, p90 } = measure(op, perBatch, batches);
  return { median: nsPerOp, p90 };
}

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

function main(): void {
  setup();
  const noSpin = process.argv.includes('--no-spin');
  const thread = new ReactorThread({
    name: 'bench',
    ...(noSpin ? { spinMicros: { caller: 0, host: 0 } } : {}),
  });
  const echo = thread.load<typeof EchoModule>(fixture).create('EchoService', []);
  const synckit = createSyncFn<(op: string, a: unknown, b?: unknown) => Promise<unknown>>(
    path.join(__dirname, 'thread-synckit-worker.js'),
  );
  const reference = referenceCall();
  const inThread = new InThread() as unknown as { add(a: number, b: number): number };

  const ours = time(() => echo.add(1, 2), 5_000);
  const sk = time(() => synckit('add', 1, 2), 2_000);
  const ref = time(() => reference.call(1, 2), 2_000);
  const local = time(() => inThread.add(1, 2), 20_000);

  // Before the payload rows, whose garbage would otherwise be collected (on the process's CPU
  // clock) during these seconds: V8's memory reducer runs a GC in every thread that allocated
  // much, a few seconds after it stops (measured: 9-23 ms in one run in two).
  const blockedCpu = cpuMs(() => echo.sleep(1_000));
  // The main thread sleeps; only the reactor thread (and the other idle workers) could run.
  const idleCpu = cpuMs(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000));

  const text = 'x'.repeat(100_000);
  const objects = Array.from({ length: 1_000 }, (_, i) => ({ id: i, name: `item ${i}`, ok: true }));
  // Two alternating rounds; the second is reported (the first warms up the JIT and the heap
  // for large strings and arrays, which otherwise penalises whichever side runs first).
  let oursText = time(() => echo.echo(text), 200, 9);
  let skText = time(() => synckit('echo', text), 200, 9);
  let oursObjects = time(() => echo.echo(objects), 50, 9);
  let skObjects = time(() => synckit('echo', objects), 50, 9);
  oursText = time(() => echo.echo(text), 200, 9);
  skText = time(() => synckit('echo', text), 200, 9);
  oursObjects = time(() => echo.echo(objects), 50, 9);
  skObjects = time(() => synckit('echo', objects), 50, 9);

  const ratio = (x: number, y: number): string => `${(y / x).toFixed(1)}x`;

  console.log(
    `Node ${process.version}, ${process.platform}-${process.arch}; median (p90) of batches;` +
      ` spin ${noSpin ? 'off' : 'on (adaptive, 50 µs)'}`,
  );
  printTable(
    ['trivial async call', 'median', 'p90', 'synckit / this'],
    [
      [
        'crochet reactor thread',
        formatNs(ours.median),
        formatNs(ours.p90),
        ratio(ours.median, sk.median),
      ],
      ['synckit', formatNs(sk.median), formatNs(sk.p90), '1.0x'],
      [
        'Atomics.wait + worker (reference)',
        formatNs(ref.median),
        formatNs(ref.p90),
        ratio(ref.median, sk.median),
      ],
      [
        'in-thread @waitFor (deasync)',
        formatNs(local.median),
        formatNs(local.p90),
        ratio(local.median, sk.median),
      ],
    ],
  );
  printTable(
    ['echo payload', 'crochet', 'synckit', 'synckit / crochet'],
    [
      [
        '100 KB string',
        formatNs(oursText.median),
        formatNs(skText.median),
        ratio(oursText.median, skText.median),
      ],
      [
        '1,000 small objects',
        formatNs(oursObjects.median),
        formatNs(skObjects.median),
        ratio(oursObjects.median, skObjects.median),
      ],
    ],
  );
  printTable(
    ['CPU', 'ms'],
    [
      ['caller blocked 1 s in a call (whole process)', blockedCpu.toFixed(1)],
      ['idle reactor thread, 1 s (whole process)', idleCpu.toFixed(1)],
    ],
  );
  void thread.stop();
  void reference.worker.terminate();
}

main();
