/**
 * Every reactor-thread call ends with its own outcome in the conditions users have: calls of many
 * lengths while the caller's loop turns (the signal check after setup(), waits long after the
 * call), several processes starting reactor threads at once. Before the transport fix, a
 * BroadcastChannel handed replies to the caller's loop on such turns and they were lost: 19 of 20
 * calls of 101 ms and 200 ms timed out after setup(), and about 1 start in 12 failed when six
 * processes started at once.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, libPath, runScript, type ScriptResult } from './helpers';

/** Like runScript, but asynchronous, so that several processes run at once. */
function startScript(source: string, killAfterMs: number): Promise<ScriptResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-transport-'));
  const file = path.join(dir, 'script.js');
  fs.writeFileSync(
    file,
    `const LIB = ${JSON.stringify(libPath)};\nconst ECHO = ${JSON.stringify(fixture('echo-service'))};\n${source}`,
  );
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** What a script printed as JSON lines. */
function jsonLines<T>(result: ScriptResult): T[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

function describeResult(result: ScriptResult): string {
  return `status ${result.status}, signal ${result.signal}, ${result.ms} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

interface CallLine {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

const CALLS_THROUGH_LOOP_TURNS = `
const crochet = require(LIB);
if (MODE === 'setup') crochet.setup();
const hosted = crochet.reactorThread.load(ECHO);
const blocking = hosted.create('EchoService', [], { timeoutMs: 3000 });
const eventual = hosted.create('EchoService', [], { eventual: ['sleep'] });
const report = (what, fn, expected) => {
  try {
    const value = fn();
    console.log(JSON.stringify({ what, ok: value === expected, detail: String(value) }));
  } catch (error) {
    console.log(JSON.stringify({ what, ok: false, detail: error.name + ': ' + error.message }));
  }
};
// Lengths around and across the 100 ms signal-check turn, and far from it.
for (const ms of [1, 20, 50, 99, 100, 101, 150, 199, 200, 201, 250, 301, 450]) {
  report('blocking ' + ms + ' ms', () => blocking.sleep(ms), ms);
}
for (const ms of [1, 50, 101, 200]) {
  report('eventual ' + ms + ' ms, wait at once', () => eventual.sleep(ms).wait(3000), ms);
}
// Waits long after the call, with loop turns in between: the reply arrives while nobody polls.
const late = [1, 50, 150].map((ms) => [ms, eventual.sleep(ms)]);
setTimeout(() => {
  for (const [ms, result] of late) report('eventual ' + ms + ' ms, wait 300 ms later', () => result.wait(3000), ms);
  const again = eventual.sleep(20);
  setImmediate(() => setTimeout(() => {
    report('eventual 20 ms, wait after an immediate and a timer', () => again.wait(3000), 20);
    crochet.reactorThread.stop();
  }, 60));
}, 300);
`;

describe('reactor thread: transport', () => {
  for (const mode of ['setup', 'noSetup'] as const) {
    it(`every call of 1-450 ms returns its own value while the caller's loop turns (${mode})`, function () {
      this.timeout(30_000);
      const result = runScript(`const MODE = '${mode}';\n${CALLS_THROUGH_LOOP_TURNS}`, {
        killAfterMs: 25_000,
      });
      const lines = jsonLines<CallLine>(result);
      expect(lines.length, describeResult(result)).to.equal(21);
      const failed = lines.filter((line) => !line.ok).map((l) => `${l.what}: ${l.detail}`);
      expect(failed, describeResult(result)).to.deep.equal([]);
      expect(result.status, describeResult(result)).to.equal(0);
    });
  }

  it('six processes starting a reactor thread at once all start and exit promptly (two rounds)', async function () {
    this.timeout(90_000);
    const source = `
      const crochet = require(LIB);
      crochet.setup();
      const started = Date.now();
      try {
        const echo = crochet.reactorThread.load(ECHO).create('EchoService', [], { timeoutMs: 5000 });
        console.log(JSON.stringify({ ok: echo.add(2, 3) === 5, ms: Date.now() - started }));
      } catch (error) {
        console.log(JSON.stringify({ ok: false, error: error.name + ': ' + error.message }));
      }
    `;
    // A calibration: how long one plain process start takes right now on this machine.
    const baseline = await startScript('console.log("{}")', 20_000);
    for (let round = 0; round < 2; round += 1) {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => startScript(source, 40_000)),
      );
      for (const result of results) {
        const [line] = jsonLines<{ ok: boolean; error?: string }>(result);
        expect(line?.ok, describeResult(result)).to.equal(true);
        expect(result.status, describeResult(result)).to.equal(0);
        // A start that failed used to take its full 10 s, then 5 s more to exit.
        expect(result.ms, describeResult(result)).to.be.below(8_000 + baseline.ms * 6);
      }
    }
  });
});
