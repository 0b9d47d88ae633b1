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
  type Blocking,
} from '../../lib';
import type { Counter, EchoService } from './fixtures/echo-service';
import type * as EchoModule from './fixtures/echo-service';
import { fixture, libPath } from './helpers';

function runWorker(source: string, workerData: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('reactor thread: several threads', () => {
  let thread: ReactorThread;
  let echo: Blocking<EchoService>;

  before(() => {
    thread = new ReactorThread({ name: 'spec-threads' });
    echo = thread.load<typeof EchoModule>(fixture('echo-service')).create('EchoService', []);
  });

  after(() => thread.stop());

  it('workers and the main thread call one service concurrently; the reactor overlaps them', async () => {
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { attach } = require(workerData.lib);
      const echo = attach(workerData.handle);
      const started = Date.now();
      echo.sleep(200);
      parentPort.postMessage(Date.now() - started);`;
    const started = Date.now();
    const workers = [1, 2, 3].map(() =>
      runWorker(source, { lib: libPath, handle: handleOf(echo) }),
    );
    const times = (await Promise.all(workers)) as number[];
    // Three 200 ms calls ran at the same time in the reactor thread, not one after another.
    expect(Date.now() - started).to.be.lessThan(550);
    for (const ms of times) expect(ms).to.be.within(190, 500);
  });

  it('a hosted object returned to one thread can be shared with another through a handle', async () => {
    const counter = echo.makeCounter() as unknown as Blocking<Counter>;
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
