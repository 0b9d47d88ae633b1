/**
 * samples/esm-thread runs: a hosted service called at the top level of an ES module and inside
 * an async function. The sample imports 'crochet'; here that name resolves to the build under
 * test through a temporary node_modules.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { distRoot, libPath } from './helpers';

const sampleDir = path.join(distRoot, '..', 'samples', 'esm-thread');

describe('samples/esm-thread', () => {
  it('prints rates from the top level and from an async function, then exits', function () {
    if (!fs.existsSync(path.join(sampleDir, 'main.mjs'))) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-sample-'));
    const pkg = path.join(dir, 'node_modules', 'crochet');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"crochet","main":"index.js"}');
    fs.writeFileSync(
      path.join(pkg, 'index.js'),
      `module.exports = require(${JSON.stringify(libPath)});`,
    );
    for (const file of ['main.mjs', 'rates-service.mjs']) {
      fs.copyFileSync(path.join(sampleDir, file), path.join(dir, file));
    }
    const result = spawnSync(process.execPath, [path.join(dir, 'main.mjs')], {
      encoding: 'utf8',
      timeout: 15_000,
      killSignal: 'SIGKILL',
    });
    expect(result.stderr).to.equal('');
    expect(result.stdout.trim().split('\n')).to.deep.equal([
      'top level: EUR/USD = 1.08',
      'in an async function: EUR/USD = 1.08',
      'in an async function: GBP/USD = 1.27',
      "the service's error comes back as RangeError: unknown currency pair XXX/YYY",
    ]);
    expect(result.status).to.equal(0);
  });
});
