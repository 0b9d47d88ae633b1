/**
 * A synchronous Prettier, two ways. Prettier 3's API is async only (`format()` returns a
 * promise); synchronous code (a CLI step, a synchronous plugin hook, a code generator) can call
 * it through
 *
 * 1. crochet: one line hosts the module's exported functions in a reactor thread and gives
 *    blocking versions of them, typed from the module: `prettier.format(source, options)` returns
 *    a `string`;
 * 2. `@prettier/sync`, Prettier's own synchronous wrapper (built on make-synchronized).
 *
 * Both format the same files of this repository with the same options (the repository's own
 * Prettier configuration, from `resolveConfig()`). Their outputs must be identical, character for
 * character: if they are not, the sample says where they differ and exits 1. It prints the time
 * per file side by side: the first call (which loads Prettier's parser for that kind of file),
 * then the median of several rounds in which both make exactly the same calls, in alternating
 * order.
 *
 * Run: npm run sample -- sync-prettier
 * Quick mode (two small files, three rounds; what `npm test` runs): SYNC_PRETTIER_QUICK=1
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createSynchronizedPrettier } from '@prettier/sync';
import { reactorThread } from 'crochet';
import type { Options } from 'prettier';

const quick = process.env['SYNC_PRETTIER_QUICK'] === '1';
/** Files of this repository, relative to its root: TypeScript, Markdown, JSON. */
const FILES = quick
  ? ['lib/errors.ts', 'package.json']
  : [
      'lib/errors.ts',
      'lib/facade/facade.ts',
      'lib/thread/reactor-thread.ts',
      'CONTRIBUTING.md',
      'package.json',
    ];
/** Steady-state rounds: each formats every file once with each implementation. */
const ROUNDS = quick ? 3 : 10;
/** Calls that measure the bridge alone, per implementation, made in blocks of BRIDGE_BLOCK. */
const BRIDGE_CALLS = quick ? 20 : 200;
const BRIDGE_BLOCK = 20;
/** A pause before each first call, in ms (see formatWithEach). */
const FIRST_CALL_SETTLE_MS = 100;

/** What this sample uses of a synchronous Prettier; both implementations have it. */
interface SyncPrettier {
  resolveConfig(file: string): Options | null;
  format(source: string, options: Options): string;
  clearConfigCache(): void;
}

interface Implementation {
  readonly name: string;
  readonly prettier: SyncPrettier;
}

/** One file, and what each implementation took to format it (indexed like `implementations`). */
interface FileRun {
  readonly name: string;
  readonly path: string;
  readonly source: string;
  options: Options;
  /** The first output; every later one, of either implementation, must be the same text. */
  output: string | undefined;
  readonly first: number[];
  readonly steady: number[][];
}

/** The repository's root: the nearest folder above this file whose package.json is crochet's. */
function repoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'crochet') return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no crochet package.json above ${start}`);
  }
}

function fail(message: string): never {
  console.error(`sync-prettier: ${message}`);
  process.exit(1);
}

/** Runs `fn`; returns its result and the time it took, in ms. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

/** Where two texts first differ, for the failure message. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  const line = a.slice(0, i).split('\n').length;
  const [here, there] = [a, b].map((text) => JSON.stringify(text.slice(i, i + 40)));
  return `line ${line}: ${here} against ${there}`;
}

// Prettier as installed next to this sample. crochet require()s its CommonJS entry (whose
// functions import the ES-module entry beside it); @prettier/sync import()s the ES-module entry
// (the CommonJS one, imported, shows only a `default` export).
const prettierEntry = require.resolve('prettier');
const prettierDir = path.dirname(prettierEntry);
const { version: prettierVersion } = JSON.parse(
  fs.readFileSync(path.join(prettierDir, 'package.json'), 'utf8'),
) as { version: string };

const root = repoRoot(__dirname);
const files: FileRun[] = FILES.map((name) => ({
  name,
  path: path.join(root, name),
  source: fs.readFileSync(path.join(root, name), 'utf8'),
  options: {},
  output: undefined,
  first: [],
  steady: [],
}));
const configFor = files[0]?.path ?? fail('no files to format');

// Start-up of each: its thread or worker, Prettier loaded there, and a first call.
let started = performance.now();
// (1) crochet: the one line that makes Prettier synchronous.
const prettier = reactorThread
  .load<typeof import('prettier')>(prettierEntry)
  .functions({ timeoutMs: 10_000 });
prettier.resolveConfig(configFor);
const crochetStartMs = performance.now() - started;

started = performance.now();
// (2) @prettier/sync.
const prettierSync = createSynchronizedPrettier({
  prettierEntry: pathToFileURL(path.join(prettierDir, 'index.mjs')),
});
prettierSync.resolveConfig(configFor);
const syncStartMs = performance.now() - started;

const implementations: readonly Implementation[] = [
  { name: 'crochet', prettier },
  { name: '@prettier/sync', prettier: prettierSync },
];

/** Both implementations with their index, in one order on even turns and the other on odd. */
function inTurn(turn: number): Array<Implementation & { readonly index: number }> {
  const order = implementations.map((implementation, index) => ({ ...implementation, index }));
  return turn % 2 === 0 ? order : order.reverse();
}

/** Blocks this thread for `ms` (the workers go on). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Formats `file` with each implementation in turn, recording the times; checks every output.
 * `settleMs`: a pause before each call, so that what the previous call left running in the
 * background (V8 compiling what it just ran, in that worker) does not slow the next one down.
 */
function formatWithEach(
  file: FileRun,
  turn: number,
  record: (index: number, ms: number) => void,
  settleMs = 0,
) {
  for (const { name, prettier: implementation, index } of inTurn(turn)) {
    if (settleMs > 0) pause(settleMs);
    const { value, ms } = timed(() => implementation.format(file.source, file.options));
    file.output ??= value;
    if (value !== file.output) {
      fail(`${name} formatted ${file.name} differently, at ${firstDifference(value, file.output)}`);
    }
    record(index, ms);
  }
}

// The bridge alone, measured before any formatting: a call that does next to nothing in Prettier,
// made back to back (as a program that uses one of them would), in blocks that alternate between
// the two, after a first block of each that is not counted (warm-up).
const bridge: number[][] = implementations.map(() => []);
for (let block = -1; block < BRIDGE_CALLS / BRIDGE_BLOCK; block += 1) {
  for (const { prettier: implementation, index } of inTurn(block)) {
    for (let call = 0; call < BRIDGE_BLOCK; call += 1) {
      const { ms } = timed(() => implementation.clearConfigCache());
      if (block >= 0) bridge[index]?.push(ms);
    }
  }
}

// First calls: each file's options from each one's resolveConfig() (they must agree), then its
// first format, which loads the parser for that kind of file.
files.forEach((file, turn) => {
  const configs = implementations.map(({ prettier: p }) => p.resolveConfig(file.path));
  const texts = configs.map((config) => JSON.stringify(config));
  if (texts.some((text) => text !== texts[0])) {
    fail(`resolveConfig(${JSON.stringify(file.name)}) differs: ${texts.join(' against ')}`);
  }
  file.options = { ...configs[0], filepath: file.path };
  formatWithEach(file, turn, (index, ms) => (file.first[index] = ms), FIRST_CALL_SETTLE_MS);
});

// Steady state: the same calls, round after round.
for (let round = 0; round < ROUNDS; round += 1) {
  for (const file of files) {
    formatWithEach(file, round, (index, ms) => (file.steady[index] ??= []).push(ms));
  }
}

// The report.
const inMs = (ms: number | undefined): string => `${(ms ?? NaN).toFixed(2)} ms`;
const inMicros = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
const names = implementations.map(({ name }) => name);
/** One cell per implementation, each as wide as its name (and at least 10). */
const cells = (values: readonly string[]): string =>
  values.map((value, i) => value.padStart(Math.max(10, names[i]?.length ?? 0))).join('  ');
const width = Math.max('file'.length, ...files.map((file) => file.name.length));
const sizeWidth = 8;
const header = cells(names);

console.log(
  `Node.js ${process.version}, Prettier ${prettierVersion}, ${os.availableParallelism()} CPUs ` +
    `(load ${(os.loadavg()[0] ?? 0).toFixed(1)}): ${files.length} files, first call, then the ` +
    `median of ${ROUNDS} rounds`,
);
console.log(
  'start-up (its thread, Prettier loaded, a first resolveConfig()): ' +
    names.map((name, i) => `${name} ${inMs([crochetStartMs, syncStartMs][i])}`).join(', '),
);
console.log('');
console.log(
  `${''.padEnd(width + sizeWidth + 2)}  ${'first call'.padEnd(header.length)}    steady state`,
);
console.log(`${'file'.padEnd(width)}  ${'size'.padStart(sizeWidth)}  ${header}    ${header}`);
for (const file of files) {
  const size = `${(Buffer.byteLength(file.source) / 1024).toFixed(1)} kB`;
  const first = cells(names.map((_, i) => inMs(file.first[i])));
  const steady = cells(names.map((_, i) => inMs(median(file.steady[i] ?? []))));
  console.log(`${file.name.padEnd(width)}  ${size.padStart(sizeWidth)}  ${first}    ${steady}`);
}
console.log('');
console.log(
  `the bridge alone (clearConfigCache() back to back, median of ${BRIDGE_CALLS} calls): ` +
    names.map((name, i) => `${name} ${inMicros(median(bridge[i] ?? []))}`).join(', '),
);
const unchanged = files.filter((file) => file.output === file.source).length;
console.log(
  `outputs identical: ${names.join(' and ')} gave the same text for each file, ` +
    `${ROUNDS + 1} calls each (${unchanged} of ${files.length} files already formatted: ` +
    'output = input)',
);
// No stop() needed: neither the reactor thread nor @prettier/sync's worker keeps the process
// alive.
