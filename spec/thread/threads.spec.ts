/**
 * Several application threads call the same hosted service at the same time; handles cross to
 * workers; the main thread hosts services for a pool of synchronous workers.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import {
  DeadlockError,
  ReactorThread,
  attach,
  handleOf,
  hostServices,
  type Hosted,
} from '../../lib';
import type { EchoService } from './fixtures/echo-service';
import type * as EchoModule from './fixtures/echo-service';
import { LOOP_CLOCK_SLACK_MS } from '../helpers/timing';
import { fixture, libPath } from './helpers';

interface OverlapReport {
  readonly peak: number;
  readonly ms: number;
}

/** A worker that posts 'ready' first, then its result. */
function startWorker(
  source: string,
  workerData: unknown,
): { ready: Promise<void>; result: Promise<unknown> } {
  const worker = new Worker(source, { eval: true, workerData });
  const failed = new Promise<never>((_resolve, reject) => worker.once('error', reject));
  const messages: unknown[] = [];
  const waiters: ((message: unknown) => void)[] = [];
  worker.on('message', (message: unknown) => {
    const waiter = waiters.shift();
    if (waiter === undefined) messages.push(message);
    else waiter(message);
  });
  const next = (): Promise<unknown> =>
    Promise.race([
      failed,
      new Promise<unknown>((resolve) => {
        if (messages.length > 0) resolve(messages.shift());
        else waiters.push(resolve);
      }),
    ]);
  const ready = next().then((message) => {
    if (message !== 'ready') throw new Error(`expected 'ready', got ${String(message)}`);
  });
  return { ready, result: ready.then(next) };
}

function runWorker(source: string, workerData: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('reactor thread: several threads', () => {
  let thread: ReactorThread;
  let echo: Hosted<EchoService, never, { makeCounter: true }>;

  before(() => {
    thread = new ReactorThread({ name: 'spec-threads' });
    echo = thread
      .load<typeof EchoModule>(fixture('echo-service'))
      .create('EchoService', [], { remote: { makeCounter: true } });
  });

  after(() => thread.stop());

  it('workers and the main thread call one service concurrently; the reactor overlaps them', async () => {
    // Three workers attach, then wait at a barrier, so that their calls and the main thread's
    // start together: worker start-up, which a loaded machine stretches a lot, is no part of
    // what is checked. Overlap is checked by count, not by wall time: each call says how many
    // calls it saw running at once in the reactor thread. Run one after another, each would
    // see only itself; overlapped, all four see four, unless one of them started a whole
    // SLEEP_MS after another had ended.
    const SLEEP_MS = 400;
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { attach } = require(workerData.lib);
      const echo = attach(workerData.handle);
      parentPort.postMessage('ready');
      Atomics.wait(workerData.barrier, 0, 0);
      const started = performance.now();
      const peak = echo.overlapping(workerData.ms);
      parentPort.postMessage({ peak, ms: performance.now() - started });`;
    const workers = [1, 2, 3].map(() =>
      startWorker(source, { lib: libPath, handle: handleOf(echo), barrier, ms: SLEEP_MS }),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    Atomics.store(barrier, 0, 1);
    Atomics.notify(barrier, 0);
    const started = performance.now();
    const mainPeak = echo.overlapping(SLEEP_MS);
    const mainMs = performance.now() - started;
    const calls = [
      { peak: mainPeak, ms: mainMs },
      ...((await Promise.all(workers.map((worker) => worker.result))) as OverlapReport[]),
    ];
    const seen = JSON.stringify(calls.map(({ peak, ms }) => ({ peak, ms: Math.round(ms) })));
    expect(
      calls.map(({ peak }) => peak),
      `calls running at once, as each call saw it: ${seen}`,
    ).to.deep.equal([4, 4, 4, 4]);
    for (const { ms } of calls) expect(ms, seen).to.be.at.least(SLEEP_MS - LOOP_CLOCK_SLACK_MS);
  });

  it('a hosted object returned to one thread can be shared with another through a handle', async () => {
    const counter = echo.makeCounter();
    counter.increment(10);
    const seen = await runWorker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { attach } = require(workerData.lib);
       const counter = attach(workerData.handle);
       parentPort.postMessage(counter.increment(5));`,
      { lib: libPath, handle: handleOf(counter) },
    );
    expect(seen).to.equal(15);
    expect(counter.value()).to.equal(15);
  });

  it('the main thread hosts a service for a pool of synchronous workers', async () => {
    class Inventory {
      private readonly stock = new Map<string, number>([['apples', 10]]);
      async take(item: string, n: number): Promise<number> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const left = (this.stock.get(item) ?? 0) - n;
        if (left < 0) throw new RangeError(`only ${this.stock.get(item) ?? 0} ${item} left`);
        this.stock.set(item, left);
        return left;
      }
    }
    const host = hostServices('spec-main');
    try {
      const handle = host.expose(new Inventory(), { timeoutMs: 2_000 });
      const source = `
        const { workerData, parentPort } = require('node:worker_threads');
        const { attach } = require(workerData.lib);
        const inventory = attach(workerData.handle);
        const results = [];
        for (let i = 0; i < 3; i += 1) {
          try { results.push(inventory.take('apples', 1)); }
          catch (error) { results.push(error.name); }
        }
        parentPort.postMessage(results);`;
      const results = (await Promise.all(
        [1, 2, 3, 4].map(() => runWorker(source, { lib: libPath, handle })),
      )) as unknown[][];
      const all = results.flat();
      expect(all.filter((x) => typeof x === 'number')).to.have.length(10);
      expect(all.filter((x) => x === 'RangeError')).to.have.length(2);
    } finally {
      host.stop();
    }
  });
});

describe('reactor thread: blocking on a host of the same thread', () => {
  it('is refused at once with DeadlockError host-thread', () => {
    const host = hostServices('spec-self');
    try {
      const handle = host.expose({
        async ping(): Promise<string> {
          return 'pong';
        },
      });
      expect(() => attach(handle))
        .to.throw(DeadlockError, /hosted by 'spec-self' on this very thread/)
        .with.property('reason', 'host-thread');
    } finally {
      host.stop();
    }
  });
});
