/**
 * currentSignal(): the AbortSignal of the running reactor-bound call, visible in the body, in
 * what it calls and awaits, and nowhere else.
 */
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import { expect } from 'chai';
import { CrochetError, currentSignal, TimeoutError } from '../../lib/index';
import { messages } from '../../lib/testing';
import { delay, ownReactor, thrownBy, type OwnReactor } from '../helpers/own-reactor';

describe('currentSignal()', () => {
  let r: OwnReactor;
  beforeEach(() => {
    r = ownReactor();
  });

  it('throws a CrochetError outside a reactor-bound call', () => {
    const error = thrownBy(() => currentSignal());
    expect(error).to.be.instanceOf(CrochetError);
    expect((error as Error).message).to.equal(messages.noCurrentCall());
  });

  it('returns a live signal in the synchronous part of a @waitFor body', () => {
    const signal = r.waitFor(1_000)(() => currentSignal())();
    expect(signal).to.be.instanceOf(AbortSignal);
    expect(signal.aborted).to.equal(false);
  });

  it('returns the same signal after awaits in a @waitFor body', () => {
    const [before, afterAwait, afterTimer] = r.waitFor(1_000)(async () => {
      const first = currentSignal();
      await null;
      const second = currentSignal();
      await delay(5, undefined);
      return [first, second, currentSignal()];
    })();
    expect(before).to.be.instanceOf(AbortSignal);
    expect(afterAwait).to.equal(before);
    expect(afterTimer).to.equal(before);
  });

  it('returns the same signal after awaits in a @runInReactor body', () => {
    const result = r.runInReactor(async () => {
      const first = currentSignal();
      await delay(5, undefined);
      return [first, currentSignal()];
    })();
    const [before, after] = result.wait(1_000);
    expect(before).to.be.instanceOf(AbortSignal);
    expect(after).to.equal(before);
  });

  it('is visible in functions the body calls, and in timer callbacks it schedules', () => {
    const lookUp = (): AbortSignal => currentSignal();
    const [direct, nested, fromTimer] = r.waitFor(1_000)(async () => {
      const own = currentSignal();
      const viaTimer = await new Promise<AbortSignal>((resolve) =>
        setTimeout(() => resolve(lookUp()), 1),
      );
      return [own, lookUp(), viaTimer];
    })();
    expect(nested).to.equal(direct);
    expect(fromTimer).to.equal(direct);
  });

  it('gives each call its own signal, also for nested calls', () => {
    const inner = r.runInReactor(() => currentSignal());
    const [outer, innerSignal, outerAgain] = r.waitFor(1_000)(async () => {
      const own = currentSignal();
      const fromInner = inner().wait(1_000);
      return [own, fromInner, currentSignal()];
    })();
    expect(innerSignal).to.be.instanceOf(AbortSignal);
    expect(innerSignal).not.to.equal(outer);
    expect(outerAgain).to.equal(outer);
    const again = r.waitFor(1_000)(() => currentSignal())();
    expect(again).not.to.equal(outer);
  });

  it('does not leak out of a call: after it returns, currentSignal() throws again', () => {
    r.waitFor(1_000)(async () => {
      await delay(1, undefined);
      return currentSignal();
    })();
    r.runInReactor(() => currentSignal())().wait(1_000);
    expect(() => currentSignal()).to.throw(CrochetError, messages.noCurrentCall());
  });

  it('does not leak out of a call whose body throws or rejects at once', () => {
    const boom = new Error('boom');
    expect(() =>
      r.waitFor(1_000)(() => {
        currentSignal();
        throw boom;
      })(),
    ).to.throw(boom);
    expect(() =>
      r.waitFor(1_000)(() => {
        currentSignal();
        return Promise.reject(boom);
      })(),
    ).to.throw(boom);
    expect(() => currentSignal()).to.throw(CrochetError, messages.noCurrentCall());
  });

  it("keeps the caller's other async context: visible in the body, unchanged after the call", () => {
    const request = new AsyncLocalStorage<string>();
    const seen = request.run('caller', () => {
      const inBody = r.waitFor(1_000)(async () => {
        const first = request.getStore();
        await delay(1, undefined);
        return [first, request.getStore()];
      })();
      const failing = r.waitFor(1_000)(() => {
        throw new Error('boom');
      });
      expect(() => failing()).to.throw('boom');
      const eventual = r
        .runInReactor(() => request.getStore())()
        .wait(1_000);
      return [...inBody, eventual, request.getStore()];
    });
    expect(seen).to.deep.equal(['caller', 'caller', 'caller', 'caller']);
    expect(request.getStore()).to.equal(undefined);
  });

  it("gives a nested call its own signal and its caller's back when it returns", () => {
    const seen = r.waitFor(1_000)(() => {
      const outer = currentSignal();
      const inner = r.waitFor(1_000)(async () => {
        await null;
        return currentSignal();
      })();
      return [outer, inner, currentSignal()];
    })();
    expect(seen[1]).not.to.equal(seen[0]);
    expect(seen[2]).to.equal(seen[0]);
  });

  it("leaves the caller's execution context as it was", () => {
    const before = executionAsyncId();
    r.waitFor(1_000)(async () => {
      await null;
    })();
    expect(executionAsyncId()).to.equal(before);
  });

  it('aborts when a @waitFor call times out, with the TimeoutError its caller got', () => {
    let signal: AbortSignal | undefined;
    const slow = r.waitFor(10)(async () => {
      signal = currentSignal();
      await delay(100, undefined);
    });
    const error = thrownBy(() => slow());
    expect(error).to.be.instanceOf(TimeoutError);
    expect(signal?.aborted).to.equal(true);
    expect(signal?.reason).to.equal(error);
  });

  it('aborts when the controller stops while the call is pending', async () => {
    let signal: AbortSignal | undefined;
    const result = r.runInReactor(async () => {
      signal = currentSignal();
      await delay(200, undefined);
    })();
    await delay(1, undefined);
    expect(signal?.aborted).to.equal(false);
    await r.controller.stop();
    expect(signal?.aborted).to.equal(true);
    expect(result.originalError()).to.equal(signal?.reason);
  });
});
