/**
 * The blocking call works from every context, because it never pumps the caller's loop: the
 * CommonJS and ES-module top level (own processes), promise callbacks, after `await`, timer and
 * I/O callbacks, and worker threads.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ReactorThread, handleOf, type Blocking } from '../../lib';
import type { EchoService } from './fixtures/echo-service';
import type * as EchoModule from './fixtures/echo-service';
import { fixture, libPath, runScript } from './helpers';

describe('reactor thread: blocking from every context', () => {
  let thread: ReactorThread;
  let echo: Blocking<EchoService>;

  before(() => {
    thread = new ReactorThread({ name: 'spec-contexts' });
    echo = thread.load<typeof EchoModule>(fixture('echo-service')).create('EchoService', []);
  });

  after(() => thread.stop());

  it('at the top level of a CommonJS module', () => {
    const result = runScript(`
      const { reactorThread } = require(LIB);
      const echo = reactorThread.load(ECHO).create('EchoService', ['cjs ']);
      console.log(echo.greet('top level'), echo.add(1, 2));
    `);
    expect(result.stdout.trim()).to.equal('cjs top level 3');
    expect(result.status).to.equal(0);
  });

  it('at the top level of an ES module, and inside an async function', () => {
    const result = runScript(
      `
      const { reactorThread } = require(LIB);
      const echo = reactorThread.load(ECHO).create('EchoService', ['esm ']);
      console.log(echo.greet('top level'));
      async function later() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return echo.greet('after await');
      }
      console.log(await later());
    `,
      { extension: '.mjs' },
    );
    expect(result.stderr).to.equal('');
    expect(result.stdout.trim().split('\n')).to.deep.equal(['esm top level', 'esm after await']);
    expect(result.status).to.equal(0);
  });

  it('inside a promise callback (.then)', async () => {
    const value = await Promise.resolve(2).then((x) => echo.add(x, 3));
    expect(value).to.equal(5);
  });

  it('after await', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(echo.add(4, 4)).to.equal(8);
  });

  it('inside a timer callback', async () => {
    const value = await new Promise((resolve) => setTimeout(() => resolve(echo.add(1, 1)), 1));
    expect(value).to.equal(2);
  });

  it('inside an I/O callback', async () => {
    const value = await new Promise((resolve, reject) =>
      fs.readFile(__filename, (error) => (error ? reject(error) : resolve(echo.greet('io')))),
    );
    expect(value).to.equal('io');
  });

  it('inside a worker thread, with a handle passed in workerData', async () => {
    const handle = handleOf(echo);
    const output = await new Promise<unknown>((resolve, reject) => {
      const worker = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
         const { attach } = require(workerData.lib);
         const echo = attach(workerData.handle);
         parentPort.postMessage([echo.add(20, 22), echo.threadId() !== require('node:worker_threads').threadId]);`,
        { eval: true, workerData: { lib: libPath, handle } },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(output).to.deep.equal([42, true]);
  });

  it('inside a worker thread that starts its own reactor thread', async () => {
    const output = await new Promise<unknown>((resolve, reject) => {
      const worker = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
         const { reactorThread } = require(workerData.lib);
         const echo = reactorThread.load(workerData.echo).create('EchoService', ['w ']);
         parentPort.postMessage(echo.greet('inner'));
         reactorThread.stop();`,
        { eval: true, workerData: { lib: libPath, echo: fixture('echo-service') } },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(output).to.equal('w inner');
  });
});
