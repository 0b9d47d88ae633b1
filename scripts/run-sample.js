#!/usr/bin/env node
/**
 * Runs one of the samples in samples/, compiled by `npm run build`:
 *
 *   node scripts/run-sample.js <name> [--from <build-dir>]
 *   npm run sample -- <name>          (the same)
 *
 * Without --from, the project is built first (scripts/build.js, the same as `npm run build`)
 * unless dist/ is fresh: built after every file under lib/ and samples/ and tsconfig.json last
 * changed, according to the stamp the last build wrote. So `npm start` from a fresh clone builds
 * once and later runs start at once. With --from, nothing is built: the folder is used as it is.
 *
 * A sample runs as `node <build-dir>/samples/<name>/main.js` (or, when written as an ES module,
 * `node samples/<name>/main.mjs`, with the package built in dist); the `testing` sample is a mocha
 * suite and runs as `mocha <build-dir>/samples/testing/*.spec.js`. <build-dir> is the folder tsc
 * compiled into (default: dist). The exit code is the sample's. With no name, or an unknown one,
 * prints the list of samples and exits 1.
 *
 * Plain CommonJS with no build step of its own.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { build, freshness } = require('./build');

const root = path.resolve(__dirname, '..');
const samplesSource = path.join(root, 'samples');

/** Each sample folder with the opening words of its README (up to the first ':' or '.'). */
function listSamples() {
  return fs
    .readdirSync(samplesSource, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, summary: summaryOf(path.join(samplesSource, name, 'README.md')) }));
}

function summaryOf(readme) {
  if (!fs.existsSync(readme)) return '';
  const paragraph = fs
    .readFileSync(readme, 'utf8')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .find((block) => block !== '' && !block.startsWith('#'));
  if (paragraph === undefined) return '';
  const text = paragraph.replace(/\s+/g, ' ');
  const end = text.search(/[.:](\s|$)/);
  return end === -1 ? text : text.slice(0, end);
}

function usage(problem) {
  if (problem) console.error(`run-sample: ${problem}\n`);
  console.log('usage: node scripts/run-sample.js <name> [--from <build-dir>]');
  console.log('       npm run sample -- <name>\n');
  console.log('samples:');
  const samples = listSamples();
  const width = Math.max(...samples.map((sample) => sample.name.length));
  for (const { name, summary } of samples) console.log(`  ${name.padEnd(width)}  ${summary}`);
  process.exit(1);
}

function parseArguments(argv) {
  let name;
  let buildDir = path.join(root, 'dist');
  let fromGiven = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--from') {
      const value = argv[i + 1];
      if (value === undefined) usage('--from needs a folder');
      buildDir = path.resolve(value);
      fromGiven = true;
      i += 1;
    } else if (arg.startsWith('--from=')) {
      buildDir = path.resolve(arg.slice('--from='.length));
      fromGiven = true;
    } else if (name === undefined) {
      name = arg;
    } else {
      usage(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return { name, buildDir, fromGiven };
}

/** Builds into dist/ unless it is fresh (see scripts/build.js); exits if the build fails. */
function buildIfStale(needs) {
  const state = freshness();
  if (state.fresh && fs.existsSync(needs)) return;
  const reason = state.fresh ? `${path.relative(root, needs)} is missing` : state.reason;
  console.error(`run-sample: building (${reason})...`);
  const status = build();
  if (status !== 0) {
    console.error('run-sample: the build failed; see the errors above.');
    process.exit(status);
  }
}

function commandFor(name, buildDir) {
  const compiled = path.join(buildDir, 'samples', name);
  if (name === 'testing') {
    const mocha = require.resolve('mocha/bin/mocha.js', { paths: [root] });
    const specs = path.join(compiled, '*.spec.js').split(path.sep).join('/');
    return { args: [mocha, '--no-config', '--reporter', 'spec', specs], needs: compiled };
  }
  // A sample written as a plain ES module runs from its source folder (it imports the built
  // package as 'crochet').
  const moduleMain = path.join(samplesSource, name, 'main.mjs');
  if (fs.existsSync(moduleMain)) {
    return { args: [moduleMain], needs: path.join(root, 'dist', 'lib', 'index.js') };
  }
  const main = path.join(compiled, 'main.js');
  return { args: [main], needs: main };
}

function main() {
  const { name, buildDir, fromGiven } = parseArguments(process.argv.slice(2));
  if (name === undefined) usage('which sample?');
  if (!listSamples().some((sample) => sample.name === name)) {
    usage(`no sample named ${JSON.stringify(name)}`);
  }
  const { args, needs } = commandFor(name, buildDir);
  if (!fromGiven) buildIfStale(needs);
  if (!fs.existsSync(needs)) {
    console.error(`run-sample: ${path.relative(root, needs)} is missing; run npm run build first.`);
    process.exit(1);
  }
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the sample directly (same process group): let the sample decide how to stop,
  // and wait for it. A SIGTERM sent to this runner alone is passed on.
  const ignore = () => undefined;
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  child.on('error', (error) => {
    console.error(`run-sample: could not start ${name}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (os.constants.signals[signal] ?? 0);
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
  });
}

main();
