/**
 * The README's examples: every ```ts block of README.md, CONTRIBUTING.md and docs/*.md
 * type-checks (scripts/check-readme.js, markers described in CONTRIBUTING.md), and the first
 * example, the one a reader tries first, compiles in both decorator modes and runs as written,
 * offline, printing what the README says it prints.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';
import { findRepoRoot } from './helpers/repo-root';

const repoRoot = findRepoRoot(__dirname);

interface Block {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly skip: string | undefined;
}
interface CheckReadme {
  extractBlocks(file: string): Block[];
}
const checker = createRequire(__filename)(
  path.join(repoRoot, 'scripts', 'check-readme.js'),
) as CheckReadme;

describe('README examples', function () {
  this.timeout(60_000);

  it('every TypeScript block of README.md, CONTRIBUTING.md and docs/ compiles', function () {
    const result = spawnSync(process.execPath, [path.join('scripts', 'check-readme.js')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const transcript = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    expect(result.status, transcript).to.equal(0);
    expect(result.stdout, transcript).to.match(
      /readme-check: [1-9]\d* modules, \d+ skipped, 0 errors/,
    );
  });

  it('finds the blocks, markers included', function () {
    const blocks = checker.extractBlocks('README.md');
    expect(blocks.length).to.be.at.least(5);
    // Skips must stay rare and justified (the checker refuses a skip without a reason).
    expect(blocks.filter((block) => block.skip !== undefined).length).to.be.at.most(1);
  });

  for (const experimentalDecorators of [true, false]) {
    const mode = experimentalDecorators ? 'experimentalDecorators' : 'standard decorators';
    it(`runs the first example as written (${mode}) and prints what the README says`, function () {
      const [first] = checker.extractBlocks('README.md');
      expect(first, 'README.md has no ts block').to.not.equal(undefined);
      if (first === undefined) return;
      expect(first.code).to.include('createServer'); // it serves itself: no network needed
      const output = ts.transpileModule(first.code, {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          experimentalDecorators,
        },
        reportDiagnostics: true,
      });
      expect(output.diagnostics ?? []).to.deep.equal([]);
      // Inside the package, so that `require('crochet')` resolves to the built package itself.
      const dir = path.join(repoRoot, 'dist', 'readme-run');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(
        dir,
        `first-example-${experimentalDecorators ? 'legacy' : 'standard'}.js`,
      );
      fs.writeFileSync(file, output.outputText);
      const result = spawnSync(process.execPath, [file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 20_000,
      });
      const transcript = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
      expect(result.error, transcript).to.equal(undefined);
      expect(result.status, transcript).to.equal(0);
      expect(result.stderr, transcript).to.equal('');
      expect(result.stdout, transcript).to.equal('hello: 3 retries\n');
      const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
      expect(readme, 'the README says what the first example prints').to.include(
        '`hello: 3 retries`',
      );
    });
  }
});
