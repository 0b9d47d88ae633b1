/**
 * Runs a compiled fixture (spec/fixtures/*) in a child Node.js process and collects what it
 * printed, its exit code and signal. Fixtures are found next to this file's compiled location,
 * so the same code works from dist/ and from any other output directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, empty lines dropped. */
  readonly lines: string[];
  /** The child was killed because it outlived `killAfterMs`. */
  readonly killed: boolean;
}

export interface RunOptions {
  readonly args?: readonly string[];
  readonly execArgv?: readonly string[];
  /** Hard limit: the child is SIGKILLed after this long (default 10 s). */
  readonly killAfterMs?: number;
  /** Called for every complete stdout line as it arrives (e.g. to send a signal). */
  readonly onLine?: (line: string, child: ChildProcess) => void;
}

/** The absolute path of a compiled fixture, e.g. fixturePath('liveness.js'). */
export function fixturePath(file: string): string {
  return path.join(__dirname, '..', 'fixtures', file);
}

export function runFixture(file: string, options: RunOptions = {}): Promise<ChildOutcome> {
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), fixturePath(file), ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let partial = '';
  let killed = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) options.onLine?.(line, child);
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfterMs ?? 10_000);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        lines: stdout.split('\n').filter((line) => line !== ''),
        killed,
      });
    });
  });
}

/** The JSON payloads of the lines a fixture printed as `RESULT {...}`. */
export function resultsOf<T>(outcome: ChildOutcome): T[] {
  return outcome.lines
    .filter((line) => line.startsWith('RESULT '))
    .map((line) => JSON.parse(line.slice('RESULT '.length)) as T);
}

/** Describes a child run for assertion messages. */
export function describeRun(outcome: ChildOutcome): string {
  return (
    `exit code ${String(outcome.code)}, signal ${String(outcome.signal)}` +
    `${outcome.killed ? ' (killed after its time limit)' : ''}\n` +
    `--- stdout\n${outcome.stdout}--- stderr\n${outcome.stderr}`
  );
}
