#!/usr/bin/env node
/**
 * `npm run build`: compiles everything (tsconfig.json: lib, spec, samples and bench into dist/;
 * spec/standard/tsconfig.json: the specs under standard decorators into dist/standard) and, when
 * both succeed, writes the stamp file dist/.build-stamp. Extra arguments go to each tsc run.
 *
 * The stamp's modification time is the moment the build *started*, so a source saved while tsc
 * was running still counts as newer than the build. scripts/run-sample.js uses this module to
 * skip the build when dist/ is fresh: no file or folder under lib/ or samples/, nor
 * tsconfig.json, was modified at or after the stamp's time (a deleted or renamed file changes
 * its folder's time). Anything else that changes the output (another TypeScript version, a
 * hand-edited dist/) is not tracked: run `npm run build` then.
 *
 * Plain CommonJS with no build step of its own.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stampFile = path.join(root, 'dist', '.build-stamp');
/** What the samples depend on (spec/ and bench/ are compiled too; samples do not need them). */
const inputs = ['lib', 'samples', 'tsconfig.json'];

/** The most recently modified file or folder among the inputs: `{ file, mtimeMs }`. */
function newestInput() {
  let newest = { file: undefined, mtimeMs: -Infinity };
  const visit = (file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat === undefined) return;
    if (stat.mtimeMs > newest.mtimeMs) newest = { file, mtimeMs: stat.mtimeMs };
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
    }
  };
  for (const input of inputs) visit(path.join(root, input));
  return newest;
}

/**
 * Whether dist/ holds a build of the current sources: `{ fresh: true }`, or `{ fresh: false,
 * reason }` saying why not.
 */
function freshness() {
  const stamp = fs.statSync(stampFile, { throwIfNoEntry: false });
  if (stamp === undefined) return { fresh: false, reason: 'no build stamp in dist/' };
  const newest = newestInput();
  if (newest.mtimeMs >= stamp.mtimeMs) {
    const changed = path.relative(root, newest.file) || newest.file;
    return { fresh: false, reason: `${changed} changed since the last build` };
  }
  return { fresh: true };
}

/** The projects `npm run build` compiles, in order. */
const projects = ['tsconfig.json', path.join('spec', 'standard', 'tsconfig.json')];

/** What tsc writes: emptied first, so that no compiled file outlives its source (a move). */
const outputs = ['lib', 'spec', 'bench', 'samples', 'standard'].map((dir) =>
  path.join(root, 'dist', dir),
);

/** Runs tsc on each project; if all succeed, writes the stamp. Returns the first failure's code. */
function build(tscArgs = []) {
  const started = new Date();
  for (const output of outputs) fs.rmSync(output, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  let status = 0;
  for (const project of projects) {
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, project), ...tscArgs], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.error !== undefined) throw result.error;
    status = result.status ?? 1;
    if (status !== 0) break;
  }
  if (status === 0) {
    fs.mkdirSync(path.dirname(stampFile), { recursive: true });
    fs.writeFileSync(stampFile, `${started.toISOString()}\n`);
    fs.utimesSync(stampFile, started, started);
  } else {
    fs.rmSync(stampFile, { force: true });
  }
  return status;
}

module.exports = { build, freshness, stampFile };

if (require.main === module) process.exitCode = build(process.argv.slice(2));
