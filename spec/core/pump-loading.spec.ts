/**
 * deasync's binary is loaded on the first loop step, not when crochet loads: where deasync has
 * no prebuilt binary, `require('crochet')`, reactor threads and calls that settle within the
 * first microtask drain still work, and an in-thread call that needs the loop fails with an error
 * that names deasync, the platform and the alternatives.
 */
import { expect } from 'chai';
import { createDecorators } from '../../lib/declare/decorators';
import { CrochetError } from '../../lib/errors';
import { messages } from '../../lib/messages';
import { createDeasyncPump } from '../../lib/core/pump';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { delay, FakeLogger, fromMacrotask, thrownBy } from '../helpers/fakes';
import { runScript } from '../thread/helpers';

/** What `require('deasync')` throws where no binary exists. */
const missingBinding = (): (() => void) => {
  throw new Error('Could not locate the bindings file. Tried: → deasync/build/deasync.node');
};

describe('loading deasync', () => {
  it('is not needed by a call that settles at once; one that needs the loop gets a clear error', (done) => {
    const controller = new ReactorController({
      ...defaultCollaborators(),
      pump: createDeasyncPump(missingBinding),
      logger: new FakeLogger(),
    });
    controller.noSetup();
    const { waitFor } = createDecorators(controller);
    const settled = waitFor(1_000)(async (x: number) => x + 1);
    const needsLoop = waitFor(1_000)(() => delay(5, 'late'));
    fromMacrotask(() => {
      expect(settled(1)).to.equal(2);
      const error = thrownBy(() => needsLoop());
      expect(error).to.be.instanceOf(CrochetError);
      expect((error as Error).message).to.equal(
        messages.deasyncUnavailable(`${process.platform}-${process.arch}`, process.versions.node),
      );
      expect((error as Error).message)
        .to.match(/deasync/)
        .and.match(/reactor thread/);
      expect(((error as Error).cause as Error).message).to.match(/bindings file/);
    })(done);
  });

  it('require("crochet") and a reactor thread work where deasync cannot load (child process)', function () {
    this.timeout(20_000);
    // Every load of deasync fails in this process, as on a platform without its binary.
    const result = runScript(`
      const Module = require('node:module');
      const load = Module._load;
      Module._load = function (request, parent, isMain) {
        if (/deasync/.test(request)) throw new Error('Could not locate the bindings file (simulated)');
        return load.call(this, request, parent, isMain);
      };
      const crochet = require(LIB);
      crochet.setup();
      const echo = crochet.reactorThread.load(ECHO).create('EchoService', [], { timeoutMs: 2000 });
      console.log('thread', echo.sleep(150), echo.add(2, 3));
      const sleep = crochet.waitFor(1000)((ms) => new Promise((r) => setTimeout(r, ms)));
      try { sleep(10); console.log('in-thread returned'); }
      catch (error) { console.log('in-thread', error.name, /deasync/.test(error.message)); }
      crochet.reactorThread.stop();
    `);
    expect(result.stdout, result.stderr).to.include('thread 150 5');
    expect(result.stdout, result.stderr).to.include('in-thread CrochetError true');
    expect(result.status, result.stderr).to.equal(0);
  });
});
