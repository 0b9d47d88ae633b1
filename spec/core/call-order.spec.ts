/**
 * Call order (Crochet's callFromThread is FIFO): calls made from one thread run their bodies in
 * the order they were made, whatever mix of eventual and blocking calls, and however they nest.
 */
import { expect } from 'chai';
import { createFacadeFactory } from '../../lib/facade/facade';
import { delay, runningReactor } from '../helpers/fakes';

describe('call order', () => {
  it('an eventual call followed by a blocking call runs the eventual body first', () => {
    const { waitFor, runInReactor } = runningReactor();
    const started: string[] = [];
    const later = runInReactor((name: string) => {
      started.push(name);
      return delay(5, name);
    });
    const now = waitFor(1_000)((name: string) => {
      started.push(name);
      return name;
    });
    const first = later('eventual 1');
    const second = later('eventual 2');
    expect(now('blocking 3')).to.equal('blocking 3');
    expect(started).to.deep.equal(['eventual 1', 'eventual 2', 'blocking 3']);
    expect(first.wait(1_000)).to.equal('eventual 1');
    expect(second.wait(1_000)).to.equal('eventual 2');
  });

  it('still never runs an eventual body inside its own call', () => {
    const { runInReactor } = runningReactor();
    let ran = false;
    const result = runInReactor(() => {
      ran = true;
      return 'ran';
    })();
    expect(ran).to.equal(false);
    expect(result.wait(1_000)).to.equal('ran');
  });

  it('keeps the order when a queued body itself makes a blocking call', (done) => {
    const { waitFor, runInReactor } = runningReactor();
    const started: string[] = [];
    const inner = waitFor(1_000)((name: string) => {
      started.push(name);
      return delay(1, name);
    });
    // Started from a macrotask, so the first body may block (not inside a microtask).
    setImmediate(() => {
      const a = runInReactor(() => {
        started.push('a');
        return 'a';
      })();
      const b = runInReactor(() => {
        started.push('b');
        return 'b';
      })();
      // The blocking call flushes a and b before its own body, in order.
      inner('c');
      try {
        expect(started).to.deep.equal(['a', 'b', 'c']);
        expect([a.wait(1_000), b.wait(1_000)]).to.deep.equal(['a', 'b']);
        done();
      } catch (error) {
        done(error);
      }
    });
  });

  it("a facade's eventual start() then blocking stop() leaves no interval running", () => {
    const { controller } = runningReactor();
    const facade = createFacadeFactory(controller);
    class Poller {
      ticks = 0;
      private timer: NodeJS.Timeout | undefined;
      async start(): Promise<void> {
        this.timer = setInterval(() => {
          this.ticks += 1;
        }, 1);
      }
      async stop(): Promise<number> {
        clearInterval(this.timer);
        this.timer = undefined;
        return this.ticks;
      }
      running(): boolean {
        return this.timer !== undefined;
      }
    }
    const PollerFacade = facade(Poller, { timeoutMs: 1_000, eventual: ['start'] });
    const service = new Poller();
    const poller = new PollerFacade(service);
    const started = poller.start();
    poller.stop();
    const leaked = service.running();
    started.wait(1_000);
    void service.stop(); // whatever happened, no interval outlives the spec
    expect(leaked, 'an interval leaked: stop() ran before start()').to.equal(false);
  });
});
