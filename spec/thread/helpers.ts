/**
 * Helpers for the reactor-thread specs: where the compiled library and fixtures are, and a
 * runner for scripts that must run in their own process (process-level behaviour: exit, signals,
 * stdout, ES-module top level), always under a hard kill timeout so that nothing can hang.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The compiled package root (dist-t or dist): spec/thread -> ../.. */
export const distRoot = path.resolve(__dirname, '..', '..');
export const libPath = path.join(distRoot, 'lib', 'index.js');
export const fixture = (name: string): string => path.join(__dirname, 'fixtures', `${name}.js`);

export interface ScriptResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function writeScript(source: string, extension: '.js' | '.mjs'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-thread-'));
  const file = path.join(dir, `script${extension}`);
  const prelude =
    extension === '.mjs'
      ? `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n`
      : '';
  const header =
    `${prelude}const LIB = ${JSON.stringify(libPath)};\n` +
    `const ECHO = ${JSON.stringify(fixture('echo-service'))};\n` +
    `const FIXTURES = ${JSON.stringify(path.join(__dirname, 'fixtures'))};\n`;
  fs.writeFileSync(file, header + source);
  return file;
}

/** Runs `source` as a script in a new node process; SIGKILLed after `killAfterMs`. */
export function runScript(
  source: string,
  options: { extension?: '.js' | '.mjs'; killAfterMs?: number; args?: string[] } = {},
): ScriptResult {
  const file = writeScript(source, options.extension ?? '.js');
  const started = Date.now();
  const result = spawnSync(process.execPath, [...(options.args ?? []), file], {
    encoding: 'utf8',
    timeout: options.killAfterMs ?? 15_000,
    killSignal: 'SIGKILL',
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: Date.now() - started,
  };
}

/**
 * Starts `source` in a new process, waits until it prints `readyLine` (a positive sign that it
 * is where the signal must find it, e.g. printed from inside the call it blocks on), sends
 * `signal` at once (or `signalDelayMs` later; `signalledAfterMs` then counts from the send), and
 * collects the outcome. SIGKILLed after `killAfterMs`, which stays below
 * mocha's timeout so that a child that never reacts fails the spec with its output instead of
 * timing it out.
 */
export function runAndSignal(
  source: string,
  readyLine: string,
  signal: NodeJS.Signals,
  killAfterMs = 8_000,
  signalDelayMs = 0,
): Promise<SignalledResult> {
  const file = writeScript(source, '.js');
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt = -1;
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (signalledAt < 0 && stdout.split('\n').includes(readyLine)) {
        signalledAt = Date.now() + signalDelayMs;
        if (signalDelayMs === 0) child.kill(signal);
        else setTimeout(() => child.kill(signal), signalDelayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (status, sig) => {
      clearTimeout(killer);
      const now = Date.now();
      resolve({
        status,
        signal: sig,
        stdout,
        stderr,
        ms: now - started,
        signalledAfterMs: signalledAt < 0 ? -1 : now - signalledAt,
        killed,
      });
    });
  });
}

export interface SignalledResult extends ScriptResult {
  /** From the signal to the end of the process; -1 when `readyLine` never came. */
  readonly signalledAfterMs: number;
  /** The child outlived `killAfterMs` and was SIGKILLed. */
  readonly killed: boolean;
}

/** Everything about a script run, for assertion messages. */
export function describeScript(result: ScriptResult & Partial<SignalledResult>): string {
  const signalled =
    result.signalledAfterMs === undefined
      ? ''
      : result.signalledAfterMs < 0
        ? ', never signalled (its ready line did not come)'
        : `, ended ${result.signalledAfterMs} ms after the signal`;
  return (
    `exit status ${String(result.status)}, signal ${String(result.signal)}` +
    `${result.killed === true ? ' (killed after its time limit)' : ''}${signalled}, ` +
    `${result.ms} ms in all\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`
  );
}
