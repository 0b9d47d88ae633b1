/**
 * TypeScript services: compiled ones are what every other spec uses; here the application runs
 * under the tsx loader, from TypeScript sources, and the reactor thread inherits the loader
 * (execArgv) so it loads the .ts service module and the library's own .ts worker entry.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { distRoot, runScript } from '../helpers';

const repoRoot = path.resolve(distRoot, '..');
const tsxInstalled = fs.existsSync(path.join(repoRoot, 'node_modules', 'tsx', 'package.json'));

describe('reactor thread: TypeScript under tsx', () => {
  it('the reactor thread uses the same loader and hosts a .ts service', function () {
    if (!tsxInstalled) this.skip();
    const lib = path.join(repoRoot, 'lib', 'index.ts');
    const service = path.join(repoRoot, 'spec', 'thread', 'fixtures', 'echo-service.ts');
    const result = runScript(
      `
      const { reactorThread } = require(${JSON.stringify(lib)});
      const echo = reactorThread.load(${JSON.stringify(service)}).create('EchoService', ['ts ']);
      console.log(echo.greet('service'), echo.add(2, 2));
      try { echo.decoratedSlow(5000); } catch (error) { console.log(error.name); }
    `,
      { args: ['--import', 'tsx'], killAfterMs: 30_000 },
    );
    expect(result.stderr).to.equal('');
    expect(result.stdout.trim().split('\n')).to.deep.equal(['ts service 4', 'TimeoutError']);
  });
});
