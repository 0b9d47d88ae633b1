/**
 * Reactor threads and hosted services at shutdown, in their own processes (they stop the global
 * reactor): every blocked caller in every thread gets ReactorStopped and later calls are refused
 * (Crochet's test_reactor_stop_unblocks_EventualResult_in_threadpool); a stashed result still
 * pending is stopped like an in-thread one, not reported as lost; what the reactor thread
 * reports goes through the application's logger.
 */
import { expect } from 'chai';
import { describeScript, runAndSignal, runScript, type ScriptResult } from './helpers';

function describeResult(result: ScriptResult): string {
  return `status ${result.status}, ${result.ms} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

function jsonLines<T>(result: ScriptResult): T[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

describe('reactor thread: shutdown', () => {
  it('reactor.stop() releases a worker blocked on services hosted by hostServices(), and refuses later calls', function () {
    this.timeout(20_000);
    const result = runScript(`
      const { Worker } = require('node:worker_threads');
      const crochet = require(LIB);
      const { EchoService } = require(ECHO);
      crochet.setup();
      const host = crochet.hostServices('main');
      const handle = host.expose(new EchoService(), { timeoutMs: 10000 });
      const worker = new Worker(\`
        const { workerData, parentPort } = require('node:worker_threads');
        const crochet = require(workerData.lib);
        crochet.noSetup();
        const echo = crochet.attach(workerData.handle);
        parentPort.postMessage({ ready: echo.add(1, 1) });
        for (const ms of [5000, 10]) {
          const started = Date.now();
          try {
            echo.sleep(ms);
            parentPort.postMessage({ call: ms, outcome: 'returned', ms: Date.now() - started });
          } catch (error) {
            parentPort.postMessage({ call: ms, outcome: error.name, ms: Date.now() - started });
          }
        }
      \`, { eval: true, workerData: { lib: LIB, handle } });
      worker.on('message', (message) => {
        console.log(JSON.stringify(message));
        if (message.ready !== undefined) setTimeout(() => crochet.reactor.stop(), 300);
      });
      worker.on('exit', () => console.log(JSON.stringify({ exited: true })));
    `);
    const lines = jsonLines<{ call?: number; outcome?: string; ms?: number; ready?: number }>(
      result,
    );
    const calls = lines.filter((line) => line.call !== undefined);
    expect(
      calls.map((c) => [c.call, c.outcome]),
      describeResult(result),
    ).to.deep.equal([
      [5000, 'ReactorStopped'],
      [10, 'ReactorStopped'],
    ]);
    // Released when the reactor stopped (about 300 ms in), not at the end of its 5 s call.
    expect(calls[0]?.ms ?? Infinity, describeResult(result)).to.be.below(3_000);
    expect(calls[1]?.ms ?? Infinity, describeResult(result)).to.be.below(1_000);
    expect(result.status, describeResult(result)).to.equal(0);
  });

  it('a stashed reactor-thread result still pending at reactor.stop() is stopped, not reported', function () {
    this.timeout(20_000);
    const result = runScript(`
      const crochet = require(LIB);
      crochet.setup({ logger: { error: (message, error) => console.log('REPORTED ' + message + ' ' + (error && error.name)) } });
      const eventual = crochet.reactorThread.load(ECHO).create('EchoService', [], { eventual: ['sleep'] });
      const id = eventual.sleep(5000).stash();
      const local = crochet.runInReactor(() => new Promise((resolve) => setTimeout(resolve, 5000)))().stash();
      crochet.reactor.stop().then(() => {
        for (const stashed of [id, local]) {
          try { crochet.retrieveResult(stashed).wait(100); console.log('returned'); }
          catch (error) { console.log(JSON.stringify({ id: stashed, outcome: error.name })); }
        }
      });
    `);
    expect(result.stdout, describeResult(result)).to.not.include('REPORTED');
    expect(jsonLines<{ outcome: string }>(result).map((l) => l.outcome)).to.deep.equal([
      'ReactorStopped',
      'ReactorStopped',
    ]);
  });

  it("reports from the reactor thread go through setup({ logger }); an abort's consequences are not reported", function () {
    this.timeout(20_000);
    const result = runScript(`
      const crochet = require(LIB);
      crochet.setup({ logger: { error: (message, error) => console.log('LOGGED ' + message + ' | ' + (error && error.message)) } });
      const echo = crochet.reactorThread.load(ECHO).create('EchoService', [], { timeoutMs: 50 });
      for (const call of [() => echo.failLater(150), () => echo.driverLike(5000), () => echo.abortable(5000)]) {
        try { call(); } catch (error) { console.log('caller got ' + error.name); }
      }
      // Cancelled: whatever the body does next is not reported, signal taken or not.
      const eventual = crochet.reactorThread.load(ECHO).create('EchoService', [], { eventual: ['failLater'] });
      const cancelled = eventual.failLater(100);
      cancelled.cancel();
      try { cancelled.wait(1000); } catch (error) { console.log('cancelled wait: ' + error.name); }
      setTimeout(() => crochet.reactorThread.stop(), 500);
    `);
    const logged = result.stdout.split('\n').filter((line) => line.startsWith('LOGGED'));
    expect(logged, describeResult(result)).to.have.length(1);
    expect(logged[0]).to.include("(in reactor thread 'reactor')");
    expect(logged[0]).to.include('failed after 150 ms');
    expect(result.stdout.match(/caller got TimeoutError/g), describeResult(result)).to.have.length(
      3,
    );
    expect(result.stdout, describeResult(result)).to.include('cancelled wait: CancelledError');
    expect(result.stderr, describeResult(result)).to.equal('');
  });
});

describe('signals while blocked under sinon fake timers (child processes)', () => {
  const SINON = JSON.stringify(require.resolve('sinon'));
  for (const reactorKind of ['reactor thread', 'in-thread'] as const) {
    it(`SIGTERM ends a process blocked on a ${reactorKind} call, with ReactorStopped and exit 143`, async function () {
      this.timeout(20_000);
      const call =
        reactorKind === 'reactor thread'
          ? `const echo = reactorThread.load(ECHO).create('EchoService', [], { timeoutMs: 20000 });
             const blocked = () => echo.announceThenSleep('blocked', 20000);`
          : `const { writeSync } = require('node:fs');
             const blocked = waitFor(20000)(() => { writeSync(1, 'blocked\\n');
               return new Promise((r) => require('node:timers').setTimeout(r, 20000)); });`;
      const result = await runAndSignal(
        `
        const { setup, reactorThread, waitFor } = require(LIB);
        setup();
        ${call}
        require(${SINON}).useFakeTimers();
        try { blocked(); console.log('returned'); }
        catch (error) { console.log('caught', error.name); }
      `,
        'blocked',
        'SIGTERM',
      );
      const run = describeScript(result);
      expect(result.killed, run).to.equal(false);
      expect(result.stdout, run).to.include('caught ReactorStopped');
      expect(result.status, run).to.equal(143);
      expect(result.signalledAfterMs, run).to.be.at.least(0).and.lessThan(3_000);
    });
  }
});

describe('reactor thread: stop() with nothing else keeping the process alive', () => {
  it('await stop() returns and the services are disposed before the process ends (child process)', function () {
    this.timeout(20_000);
    // The worker is unref'd: while it stopped, nothing kept the loop alive, and the process
    // exited 0 at the await, skipping the rest of the program and the disposal.
    const result = runScript(`
      const crochet = require(LIB);
      const fs = require('node:fs');
      const record = require('node:path').join(require('node:os').tmpdir(), 'crochet-stop-' + process.pid);
      const mod = crochet.reactorThread.load(FIXTURES + '/client-like.js');
      const pool = mod.create('PoolLike', [record, 'pool', 50], { dispose: 'end' });
      console.log(pool.ping());
      (async () => {
        await crochet.reactorThread.stop();
        console.log('after stop: ' + fs.readFileSync(record, 'utf8').trim());
        fs.unlinkSync(record);
      })();
    `);
    const run = describeResult(result);
    expect(result.stdout, run).to.equal('pong\nafter stop: end pool\n');
    expect(result.status, run).to.equal(0);
  });
});

describe('reactor thread: a start that failed', () => {
  it('does not hold up shutdown: the process exits at once, with no hook reported (child process)', function () {
    this.timeout(20_000);
    const result = runScript(`
      const crochet = require(LIB);
      crochet.setup();
      const thread = new crochet.ReactorThread({ name: 'slow', startTimeoutMs: 1 });
      const started = Date.now();
      try { thread.load(ECHO); } catch (error) { console.log('caught', error.name, error.reason); }
      process.on('exit', () => console.log('exit after ' + (Date.now() - started) + ' ms'));
    `);
    const run = describeResult(result);
    expect(result.stdout, run).to.include('caught ReactorThreadError start-failed');
    // Before: its shutdown hook waited for an exit event that had already happened, 5 s.
    expect(result.stderr, run).to.not.include('did not finish');
    const exitMs = Number(/exit after (\d+) ms/.exec(result.stdout)?.[1] ?? Number.NaN);
    expect(exitMs, run).to.be.below(2_000);
    expect(result.status, run).to.equal(0);
  });
});

describe("reactor thread: the application's before hooks", () => {
  it('can use hosted services even when registered after load() (child process)', function () {
    this.timeout(20_000);
    const result = runScript(`
      const crochet = require(LIB);
      crochet.setup();
      const echo = crochet.reactorThread.load(ECHO).create('EchoService', [], { timeoutMs: 2000 });
      echo.add(0, 0);
      crochet.reactor.addShutdownHook('before', () => {
        console.log('before hook: ' + echo.add(20, 22));
      }, { name: 'flush' });
      crochet.reactor.stop().then(() => {
        try { echo.add(1, 1); } catch (error) { console.log('after stop: ' + error.name); }
      });
    `);
    const run = describeResult(result);
    expect(result.stdout, run).to.include('before hook: 42');
    expect(result.stdout, run).to.include('after stop: ReactorStopped');
    expect(result.stderr, run).to.equal('');
  });
});

describe('reactor thread: eventual results pending at reactor.stop()', () => {
  it('end with ReactorStopped with the in-thread ones, before any during hook (child process)', function () {
    this.timeout(20_000);
    const result = runScript(`
      const crochet = require(LIB);
      crochet.setup();
      // Runs before the reactor thread's own during hook: the thread is still up meanwhile.
      crochet.reactor.addShutdownHook('during', () => new Promise((resolve) => setTimeout(resolve, 500)), { name: 'slow' });
      const eventual = crochet.reactorThread.load(ECHO).create('EchoService', [], { eventual: ['sleep'] });
      const remote = eventual.sleep(200);
      const local = crochet.runInReactor(() => new Promise((resolve) => setTimeout(() => resolve('local'), 200)))();
      crochet.reactor.stop().then(() => {
        for (const [name, result] of [['remote', remote], ['local', local]]) {
          try { console.log(name + ' returned ' + result.wait(100)); }
          catch (error) { console.log(name + ' ' + error.name); }
        }
      });
    `);
    const run = describeResult(result);
    expect(result.stdout, run).to.include('remote ReactorStopped');
    expect(result.stdout, run).to.include('local ReactorStopped');
    expect(result.stderr, run).to.equal('');
  });
});
