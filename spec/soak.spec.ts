/**
 * The soak run (bench/soak.ts) with a small budget, in its own process: both reactors, mixed
 * call lengths, timeouts, cancels, late waits, nested calls and a stop with calls pending. Every
 * call must end with the outcome that is right for it.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const soakScript = path.join(__dirname, '..', 'bench', 'soak.js');

interface SoakRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  /** Set when the run did not end by itself and was sent SIGTERM. */
  readonly terminated: boolean;
}

/**
 * Runs the soak; after `terminateAfterMs` it is sent SIGTERM (the soak then lists its open
 * calls, even from a main thread blocked in a call), after `killAfterMs` SIGKILL.
 */
function runSoak(
  args: readonly string[],
  terminateAfterMs: number,
  killAfterMs: number,
): Promise<SoakRun> {
  const child = spawn(process.execPath, ['--expose-gc', soakScript, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  child.stderr.on('data', (chunk: string) => (output += chunk));
  let terminated = false;
  const terminate = setTimeout(() => {
    terminated = true;
    child.kill('SIGTERM');
  }, terminateAfterMs);
  const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const clear = (): void => {
    clearTimeout(terminate);
    clearTimeout(kill);
  };
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clear();
      reject(error);
    });
    child.on('close', (code, signal) => {
      clear();
      resolve({ code, signal, output, terminated });
    });
  });
}

describe('soak (bench/soak.ts, a short run in a child process)', function () {
  this.timeout(60_000);

  it('ends by itself, every call with its right outcome: exit 0, "0 failed"', async () => {
    // A 5-second budget ends in about 8 s. The watchdog (35 s) prints the open calls if the loop
    // still turns; SIGTERM (42 s) lists them even if the loop is stuck; SIGKILL (52 s) ends the rest.
    const run = await runSoak(['--seconds', '5', '--watchdog', '35'], 42_000, 52_000);
    const report =
      `exit code ${String(run.code)}, signal ${String(run.signal)}` +
      `${run.terminated ? ', sent SIGTERM after 42 s' : ''}\n${run.output}`;
    const summary = run.output
      .trim()
      .split('\n')
      .filter((line) => /^soak: \d+ passed, \d+ failed$/.test(line));
    expect(summary, report).to.have.length(1);
    expect(summary[0], report).to.match(/^soak: [1-9]\d* passed, 0 failed$/);
    expect(run.code, report).to.equal(0);
  });
});
