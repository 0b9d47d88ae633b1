/**
 * TypeScript runners, each running a small .ts entry in a child process, in a temporary folder
 * with no tsconfig.json (so esbuild applies standard decorators, as in a project on TypeScript's
 * defaults), against the compiled library:
 * - `tsx app.ts` evaluates even a CommonJS entry through its ES-module loader, inside a
 *   microtask: a blocking call at its top level is refused, with a message that says so and
 *   what works; from a callback (setTimeout) the same call works.
 * - `node --require tsx/cjs app.ts` runs the same entry as plain CommonJS: the top level blocks.
 * - Any --import option makes Node evaluate a CommonJS entry the same way: the message says so.
 * - Node's own type stripping (Node 22.18+ by default; skipped where absent) runs a CommonJS
 *   .cts entry that uses the function forms (it has no decorators: they are not erasable syntax).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { messages } from '../lib/messages';

const distRoot = path.resolve(__dirname, '..');
const repoRoot = path.resolve(distRoot, '..');
const lib = path.join(distRoot, 'lib', 'index.js');
const tsxCli = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const tsxCjs = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');
const tsxInstalled = fs.existsSync(tsxCli) && fs.existsSync(tsxCjs);

const ENTRY = `
const { reactorMethods, setup, waitFor } = require(${JSON.stringify(lib)});

let mode = 'legacy';
const probe = (...args: unknown[]): void => {
  mode = args.length === 2 ? 'standard' : 'legacy';
};

class Rates {
  @probe
  @waitFor(1_000)
  async latest(pair: string): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return pair.length;
  }
}

function report(where: string, run: () => unknown): void {
  try {
    console.log(where, JSON.stringify(run()));
  } catch (error) {
    const { name, reason, message } = error as { name: string; reason?: string; message: string };
    console.log(where, 'ERROR', JSON.stringify({ name, reason, message }));
  }
}

setup();
report('TOP', () => new Rates().latest('EURUSD'));
setTimeout(() => {
  report('LATER', () => new Rates().latest('EUR'));
  report('MODE', () => [mode, reactorMethods(Rates)]);
}, 0);
`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What each `report()` printed, by its label. */
  readonly reports: Map<string, string>;
}

function runEntry(file: string, source: string, args: readonly string[]): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-runner-'));
  fs.writeFileSync(path.join(dir, file), source);
  const result = spawnSync(process.execPath, [...args, file], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const reports = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) reports.set(line.slice(0, space), line.slice(space + 1));
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, reports };
}

const describeRun = (run: Run): string =>
  `exit ${String(run.status)}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;

const standardEntries = JSON.stringify([
  'standard',
  [{ name: 'latest', kind: 'waitFor', timeoutMs: 1_000, static: false }],
]);

describe('TypeScript runners', function () {
  this.timeout(60_000);

  it('tsx app.ts: the top level is refused with a message saying why and what works', function () {
    if (!tsxInstalled) this.skip();
    const run = runEntry('app.ts', ENTRY, [tsxCli]);
    expect(run.status, describeRun(run)).to.equal(0);
    const top = JSON.parse(run.reports.get('TOP')?.replace(/^ERROR /, '') ?? 'null') as {
      name: string;
      reason: string;
      message: string;
    } | null;
    expect(top, describeRun(run)).to.deep.equal({
      name: 'DeadlockError',
      reason: 'in-microtask',
      message: messages.inMicrotaskAtEntry('@waitFor(1000) method latest()', 'app.ts', 'tsx'),
    });
    expect(top?.message).to.include("'node --require tsx/cjs app.ts'");
    // From a callback, once the module has loaded, the same call blocks.
    expect(run.reports.get('LATER')).to.equal('3');
    // esbuild without experimentalDecorators: standard decorators, registered all the same.
    expect(run.reports.get('MODE')).to.equal(standardEntries);
  });

  it('node --require tsx/cjs app.ts: the same top level blocks', function () {
    if (!tsxInstalled) this.skip();
    const run = runEntry('app.ts', ENTRY, ['--require', tsxCjs]);
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.reports.get('TOP'), describeRun(run)).to.equal('6');
    expect(run.reports.get('LATER')).to.equal('3');
    expect(run.reports.get('MODE')).to.equal(standardEntries);
  });

  it('node --import <module> app.js: a CommonJS entry is refused at its top level, saying why', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-import-'));
    const preload = path.join(dir, 'preload.mjs');
    fs.writeFileSync(preload, '');
    const source = `
      const { setup, waitFor } = require(${JSON.stringify(lib)});
      setup();
      const lookup = waitFor(1_000)(async (host) => host.length);
      try {
        console.log('TOP', JSON.stringify(lookup('localhost')));
      } catch (error) {
        console.log('TOP', 'ERROR', JSON.stringify(error.message));
      }
    `;
    const run = runEntry('app.js', source, ['--import', preload]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.reports.get('TOP'), describeRun(run)).to.equal(
      `ERROR ${JSON.stringify(
        messages.inMicrotaskAtEntry('waitFor(1000) function <anonymous>()', 'app.js', 'loader'),
      )}`,
    );
  });

  it("node app.cts with Node's type stripping: a CommonJS entry blocks at its top level", function () {
    const features = process.features as { typescript?: string | false };
    if (!features.typescript) this.skip();
    const source = `
      const crochet = require(${JSON.stringify(lib)}) as typeof import('crochet');
      crochet.setup();
      const lookup = crochet.waitFor(1_000)(async (host: string): Promise<number> => host.length);
      console.log('TOP', JSON.stringify(lookup('localhost')));
    `;
    const run = runEntry('app.cts', source, []);
    expect(run.status, describeRun(run)).to.equal(0);
    expect(run.reports.get('TOP'), describeRun(run)).to.equal('9');
  });
});
