/**
 * Smoke tests of the samples: each one runs in a child process through scripts/run-sample.js,
 * exactly as `npm run sample -- <name>` runs it, with a hard kill timeout. Each must exit 0,
 * print nothing on stderr, and print the lines that show it did its job.
 *
 * The samples are taken from the build folder this spec was compiled into (dist/ for
 * `npm test`), so the spec and the samples it runs always come from the same build.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { findRepoRoot } from './helpers/repo-root';

const buildDir = path.resolve(__dirname, '..');
const repoRoot = findRepoRoot(__dirname);
const runSample = path.join(repoRoot, 'scripts', 'run-sample.js');
const KILL_AFTER_MS = 25_000;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: string[];
}

/** Runs `node scripts/run-sample.js ...args`; kills its whole process group if it hangs. */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [runSample, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the sample dies with the runner
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, KILL_AFTER_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      resolve({ code, signal, stdout, stderr, lines });
    });
  });
}

function runSampleNamed(name: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return run([name, '--from', buildDir], env);
}

/** Asserts a clean exit, so that a failure shows what the sample printed. */
function expectSuccess(outcome: Outcome): void {
  const transcript = `stdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`;
  expect(outcome.signal, transcript).to.equal(null);
  expect(outcome.code, transcript).to.equal(0);
  expect(outcome.stderr, transcript).to.equal('');
}

/** The index of the first line matching `pattern`; fails when there is none. */
function lineIndex(outcome: Outcome, pattern: RegExp): number {
  const index = outcome.lines.findIndex((line) => pattern.test(line));
  expect(index, `no line matches ${String(pattern)} in:\n${outcome.stdout}`).to.be.at.least(0);
  return index;
}

describe('samples (smoke tests)', function () {
  this.timeout(KILL_AFTER_MS + 5_000);
  this.slow(5_000);

  it('exchange-rate prints several distinct rates, then stops and exits 0', async () => {
    const outcome = await runSampleNamed('exchange-rate');
    expectSuccess(outcome);
    lineIndex(outcome, /^rate server listening at http:\/\/127\.0\.0\.1:\d+\//);
    const rates = outcome.lines.flatMap((line) => /^EUR\/USD (\d\.\d{4})$/.exec(line)?.[1] ?? []);
    expect(rates.length).to.be.at.least(8);
    expect(new Set(rates).size).to.be.at.least(3);
    expect(outcome.lines.at(-1)).to.equal('stopped polling and closed the server');
  });

  it('blocking-dns resolves localhost, shows the .invalid error and a timeout', async () => {
    const outcome = await runSampleNamed('blocking-dns');
    expectSuccess(outcome);
    lineIndex(outcome, /^localhost -> .*(127\.0\.0\.1|::1)/);
    // ENOTFOUND offline; a configured but unreachable resolver may say EAI_AGAIN or time out.
    lineIndex(
      outcome,
      /^no-such-host\.invalid -> error after \d+ ms: .*(ENOTFOUND|EAI_AGAIN|TimeoutError)/,
    );
    lineIndex(outcome, /via silent server .* -> error after \d+ ms: TimeoutError: .*500 ms/);
    lineIndex(outcome, /^the silent server got 1 query and never answered$/);
  });

  it('downloads stashes, retrieves, cancels one and times out on another', async () => {
    const outcome = await runSampleNamed('downloads');
    expectSuccess(outcome);
    for (const name of ['report', 'photo', 'archive', 'slow-video']) {
      lineIndex(outcome, new RegExp(`request 1: started ${name}, stashed as result #\\d+$`));
    }
    for (const name of ['report', 'photo', 'slow-video']) {
      lineIndex(outcome, new RegExp(`request \\d: ${name} done: \\d+ bytes`));
    }
    const timedOut = lineIndex(
      outcome,
      /request 2: slow-video not ready within 300 ms \(TimeoutError\); stashed again as result #\d+$/,
    );
    const cancelled = lineIndex(outcome, /request 3: archive cancelled \(CancelledError/);
    expect(cancelled).to.be.greaterThan(timedOut);
    lineIndex(outcome, /server saw the client hang up on: \/files\/archive\.zip$/);
  });

  it('testing runs its mocha suite, all passing', async () => {
    const outcome = await runSampleNamed('testing');
    expectSuccess(outcome);
    lineIndex(outcome, /^\s*11 passing/);
    expect(outcome.stdout).not.to.match(/failing|pending/);
    lineIndex(outcome, /Thermostat, over a facade of a stubbed TemperatureService/);
    lineIndex(outcome, /TemperatureService, tested alone with await/);
    lineIndex(outcome, /Forecast\.meanCelsius, through unwrap\(\)/);
  });

  it('shutdown releases, fails, closes and refuses in order', async () => {
    const outcome = await runSampleNamed('shutdown');
    expectSuccess(outcome);
    const order = [
      /main: acquired connection #1; blocking on jobs\.next\(\)$/,
      /timer: calling reactor\.stop\(\)$/,
      /before hook: closed the jobs inbox, releasing 1 waiting caller/,
      /main: jobs\.next\(\) returned undefined/,
      /main: released connection #1$/,
      /during hook: pool closed$/,
      /after hook: shutdown complete$/,
      /reactor\.stop\(\) resolved; state: stopped$/,
    ].map((pattern) => lineIndex(outcome, pattern));
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    const stopped = lineIndex(
      outcome,
      /main: the background alerts\.next\(\) failed with ReactorStopped/,
    );
    expect(stopped).to.be.greaterThan(order[1] ?? Infinity);
    lineIndex(outcome, /main: a call after stop\(\) throws at once: ReactorStopped: /);
  });

  it('postgres reads rows, gets the server error, cancels the slow query, removes the server', async () => {
    const outcome = await runSampleNamed('postgres');
    expectSuccess(outcome);
    const order = [
      /^private server on 127\.0\.0\.1:\d+ /,
      /^apples: 12$/,
      /^kiwis: not stocked$/,
      /^add apples again -> DatabaseError 23505: duplicate key value/,
      /^10 s report -> after \d+ ms: TimeoutError: .*300 ms/,
      /^slow queries still running on the server: 0$/,
      /^server stopped: its folder removed, its port refuses connections$/,
    ].map((pattern) => lineIndex(outcome, pattern));
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
  });

  it('sync-prettier formats through crochet and @prettier/sync, with identical outputs', async () => {
    // Quick mode: two small files, three rounds.
    const outcome = await runSampleNamed('sync-prettier', { SYNC_PRETTIER_QUICK: '1' });
    expectSuccess(outcome);
    lineIndex(outcome, /^Node\.js v\d+\.\d+\.\d+, Prettier 3\.\d+\.\d+, .*median of 3 rounds$/);
    lineIndex(outcome, /^start-up .*: crochet \d+\.\d\d ms, @prettier\/sync \d+\.\d\d ms$/);
    lineIndex(outcome, /^file +size +crochet +@prettier\/sync +crochet +@prettier\/sync$/);
    for (const file of ['lib/errors.ts', 'package.json']) {
      const name = file.replace(/\./g, '\\.');
      lineIndex(outcome, new RegExp(`^${name} +\\d+\\.\\d kB( +\\d+\\.\\d\\d ms){4}$`));
    }
    lineIndex(outcome, /^the bridge alone .*: crochet \d+\.\d µs, @prettier\/sync \d+\.\d µs$/);
    lineIndex(
      outcome,
      /^outputs identical: crochet and @prettier\/sync gave the same text for each file, 4 calls each \(2 of 2 files already formatted/,
    );
  });

  it('run-sample lists the samples and exits 1 without a known name', async () => {
    for (const args of [[], ['no-such-sample']]) {
      const outcome = await run(args);
      expect(outcome.code).to.equal(1);
      for (const name of [
        'blocking-dns',
        'downloads',
        'esm-thread',
        'exchange-rate',
        'postgres',
        'shutdown',
        'sync-prettier',
        'testing',
      ]) {
        lineIndex(outcome, new RegExp(`^  ${name} `));
      }
    }
  });
});
