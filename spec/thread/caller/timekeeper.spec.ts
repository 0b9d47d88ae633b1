/**
 * The timekeeper: callers whose deadline is far sleep untimed and are woken by its tick, so what
 * a slice noticed (a host that died silently, a stop through the shared state, a signal) must
 * still be noticed within about a tick; an idle timekeeper must tick again for a new sleeper.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { ReactorThread, ReactorThreadError, handleOf } from '../../../lib';
import * as path from 'node:path';
import { ReplyWait, type ReplySource } from '../../../lib/thread/caller/reply-wait';
import {
  DEFAULT_START_AFTER_SLEEPS,
  NEAR_DEADLINE_MS,
  TICK_MS,
  Timekeeper,
  startTimekeeperAfter,
} from '../../../lib/thread/caller/timekeeper';
import {
  CALLER_SLEEPING,
  CONNECTION_SLOTS,
  REPLIES,
  SLEEPING,
} from '../../../lib/thread/transport/protocol';
import type * as EchoModule from '../fixtures/echo-service';
import { fixture, libPath } from '../helpers';

const timekeeperPath = path.join(path.dirname(libPath), 'thread', 'caller', 'timekeeper.js');

const realSleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Polls `ready` (sleeping 5 ms between looks) for at most `ms`. */
function until(ready: () => boolean, ms: number): boolean {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) return false;
    realSleep(5);
  }
  return true;
}

function control(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONNECTION_SLOTS * 4));
}

/**
 * Sleeps untimed-in-spirit (a long bound, only so that a failing spec ends) as a caller does:
 * flag, tell the timekeeper, wait. Returns how the wait ended and how long it took.
 */
function sleepAsCaller(keeper: Timekeeper, words: Int32Array): { how: string; ms: number } {
  const started = Date.now();
  Atomics.store(words, CALLER_SLEEPING, SLEEPING);
  keeper.sleeping();
  const how = Atomics.wait(words, REPLIES, Atomics.load(words, REPLIES), 10_000);
  Atomics.store(words, CALLER_SLEEPING, 0);
  return { how, ms: Date.now() - started };
}

describe('timekeeper', () => {
  // Ticks are TICK_MS apart; on a loaded machine a thread may be late by a scheduling slice or
  // several. A missing tick would mean the 10 s bound.
  const LATE_TICK_MS = 2_000;

  it('wakes a registered caller that sleeps, within about a tick', () => {
    const keeper = new Timekeeper();
    const words = control();
    const ticket = keeper.register(words);
    expect(
      until(() => keeper.covers(ticket), 10_000),
      'the timekeeper acknowledges',
    ).to.equal(true);
    const slept = sleepAsCaller(keeper, words);
    expect(slept.how).to.equal('ok');
    expect(slept.ms).to.be.below(LATE_TICK_MS);
  });

  it('goes idle when nobody sleeps, and ticks again for the next sleeper', () => {
    const keeper = new Timekeeper();
    const words = control();
    const ticket = keeper.register(words);
    expect(until(() => keeper.covers(ticket), 10_000)).to.equal(true);
    // A few quiet ticks.
    expect(
      until(() => keeper.idle, 20 * TICK_MS * 10),
      'idle after quiet ticks',
    ).to.equal(true);
    const slept = sleepAsCaller(keeper, words);
    expect(slept.how).to.equal('ok');
    expect(slept.ms).to.be.below(LATE_TICK_MS);
    expect(keeper.idle).to.equal(false);
  });

  it('reads a registration made while it is idle', () => {
    const keeper = new Timekeeper();
    const first = keeper.register(control());
    expect(until(() => keeper.covers(first), 10_000)).to.equal(true);
    expect(until(() => keeper.idle, 20 * TICK_MS * 10)).to.equal(true);
    const words = control();
    const second = keeper.register(words);
    expect(
      until(() => keeper.covers(second), LATE_TICK_MS),
      'acknowledged',
    ).to.equal(true);
    expect(sleepAsCaller(keeper, words).how).to.equal('ok');
  });

  describe("a thread's own", () => {
    after(() => startTimekeeperAfter(DEFAULT_START_AFTER_SLEEPS));

    it('is one per thread, started after so many sleeps', async () => {
      // In a thread of its own: this one has slept in other specs already.
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const { DEFAULT_START_AFTER_SLEEPS, threadTimekeeper, Timekeeper } = require(workerData);
         const early = [];
         for (let i = 1; i < DEFAULT_START_AFTER_SLEEPS; i += 1) early.push(threadTimekeeper());
         const keeper = threadTimekeeper();
         parentPort.postMessage([
           early.every((k) => k === null),
           keeper instanceof Timekeeper,
           threadTimekeeper() === keeper,
         ]);`,
        { eval: true, workerData: timekeeperPath },
      );
      try {
        const answer: unknown = await new Promise((resolve) => worker.once('message', resolve));
        expect(answer).to.deep.equal([true, true, true]);
      } finally {
        await worker.terminate();
      }
    });

    it('lets a caller sleep untimed while its deadline is far, and timed near it', () => {
      startTimekeeperAfter(0);
      const words = control();
      const source: ReplySource = {
        drain: () => undefined,
        up: true,
        hostDown: () => undefined,
        downError: () => new Error('down'),
        stopSeen: () => undefined,
        probe: () => false,
      };
      const waits: (number | undefined)[] = [];
      type Int32Wait = (
        array: Int32Array,
        index: number,
        value: number,
        timeout?: number,
      ) => 'ok' | 'not-equal' | 'timed-out';
      const atomics = Atomics as unknown as { wait: Int32Wait };
      const wait = atomics.wait;
      atomics.wait = (array, index, value, timeout) => {
        if (array === words) waits.push(timeout);
        return wait.call(Atomics, array, index, value, timeout);
      };
      try {
        const waiter = new ReplyWait(words, 0);
        // Once for the registration to be read, then the call that is measured.
        waiter.wait(source, () => false, 2 * TICK_MS + NEAR_DEADLINE_MS);
        waits.length = 0;
        const started = performance.now();
        expect(waiter.wait(source, () => false, 300)).to.equal('timeout');
        expect(performance.now() - started).to.be.at.least(300);
      } finally {
        atomics.wait = wait;
      }
      expect(waits[0], 'far from the deadline: untimed').to.equal(undefined);
      const last = waits[waits.length - 1];
      expect(last, 'near the deadline: timed').to.be.a('number');
      expect(last).to.be.at.most(NEAR_DEADLINE_MS);
    });
  });

  describe('with a reactor thread', () => {
    /**
     * The caller is a worker thread (its call's deadline is far: it sleeps untimed); this
     * thread's loop stays free, so the reactor thread's 'exit' marks the shared state, which only
     * a wake-up lets the caller see. `idleFirstMs`: the caller first idles (not in a call) long
     * enough for its timekeeper to go idle.
     */
    async function killWhileBlocked(idleFirstMs: number): Promise<void> {
      const thread = new ReactorThread({ name: 'spec-timekeeper-kill' });
      const echo = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', []);
      echo.add(1, 1);
      const caller = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
         const { attach } = require(workerData.lib);
         require(workerData.timekeeper).startTimekeeperAfter(0);
         const echo = attach(workerData.handle);
         for (let i = 0; i < 100; i += 1) echo.add(1, 1);
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.idleFirstMs);
         parentPort.postMessage('blocking');
         try { echo.sleep(60000); parentPort.postMessage('returned'); }
         catch (error) { parentPort.postMessage(error.name + ' ' + error.reason); }`,
        {
          eval: true,
          workerData: {
            lib: libPath,
            timekeeper: timekeeperPath,
            handle: handleOf(echo),
            idleFirstMs,
          },
        },
      );
      try {
        await new Promise((resolve) => caller.once('message', resolve));
        // Long enough for the caller to be asleep, untimed.
        await new Promise((resolve) => setTimeout(resolve, NEAR_DEADLINE_MS));
        const outcome = new Promise((resolve) => caller.once('message', resolve));
        const killed = Date.now();
        await (thread as unknown as { worker: Worker }).worker.terminate();
        // Bounded, so that a caller that is never woken fails the spec instead of hanging it.
        const message = await Promise.race([
          outcome,
          new Promise((resolve) => setTimeout(resolve, LATE_TICK_MS + 5_000, 'no outcome')),
        ]);
        expect(message).to.equal(`${ReactorThreadError.name} exited`);
        expect(Date.now() - killed).to.be.below(LATE_TICK_MS + 1_000);
      } finally {
        await caller.terminate();
        await thread.stop();
      }
    }

    it('a caller sleeping untimed notices a reactor thread killed without running JavaScript', () =>
      killWhileBlocked(0));

    it('so does one that blocks after its timekeeper went idle', () => killWhileBlocked(1_500));
  });
});
