/**
 * blockingBody() / eventualBody(): a reactor-bound method declared with its callers' type returns
 * its async body through the helper; used anywhere else the helper says what is wrong.
 */
import { expect } from 'chai';
import { blockingBody, currentSignal, EventualResult, eventualBody } from '../../lib/index';
import { messages } from '../../lib/testing';
import { quote } from '../../lib/quote';
import { delay, ownReactor, rejectLater, thrownBy } from '../helpers/own-reactor';

describe('blockingBody() and eventualBody()', () => {
  const r = ownReactor();

  class Rates {
    calls = 0;
    constructor(private readonly base: number) {}

    @r.waitFor(1_000)
    latest(pair: string): number {
      this.calls += 1;
      return blockingBody(async () => {
        await delay(5, undefined);
        return this.base + pair.length;
      });
    }

    @r.runInReactor
    refresh(extra: number): EventualResult<number> {
      this.calls += 1;
      return eventualBody(async () => {
        await delay(5, undefined);
        return this.base + extra;
      });
    }

    @r.waitFor(1_000)
    failing(error: unknown): number {
      return blockingBody(() => rejectLater(5, error));
    }

    @r.runInReactor
    failingLater(error: unknown): EventualResult<number> {
      return eventualBody(() => rejectLater(5, error));
    }

    @r.waitFor(1_000)
    plain(): string {
      return blockingBody(() => 'not async at all');
    }

    @r.waitFor(1_000)
    signals(): AbortSignal[] {
      const outer = currentSignal();
      return blockingBody(async () => {
        await delay(1, undefined);
        return [outer, currentSignal()];
      });
    }

    @r.runInReactor
    wrongBlocking(): number {
      return blockingBody(async () => 1);
    }

    @r.waitFor(1_000)
    wrongEventual(): EventualResult<number> {
      return eventualBody(async () => 1);
    }

    @r.waitFor(1_000)
    lateHelper(): number {
      return blockingBody(async () => {
        await null;
        return blockingBody(async () => 1);
      });
    }

    undecorated(): number {
      return blockingBody(async () => 1);
    }
  }

  it('blockingBody() gives a @waitFor caller the awaited value of the body', () => {
    const rates = new Rates(100);
    expect(rates.latest('EURUSD')).to.equal(106);
    expect(rates.calls).to.equal(1);
  });

  it('eventualBody() gives a @runInReactor caller an EventualResult of the body', () => {
    const rates = new Rates(100);
    const result = rates.refresh(5);
    expect(result).to.be.instanceOf(EventualResult);
    expect(result.wait(1_000)).to.equal(105);
    expect(rates.calls).to.equal(1);
  });

  it('delivers exactly what the body rejects with', () => {
    const rates = new Rates(0);
    const error = new Error('no rate');
    expect(thrownBy(() => rates.failing(error))).to.equal(error);
    expect(thrownBy(() => rates.failing('text'))).to.equal('text');
    expect(thrownBy(() => rates.failingLater(error).wait(1_000))).to.equal(error);
    expect(thrownBy(() => rates.failingLater(undefined).wait(1_000))).to.equal(undefined);
  });

  it('accepts a body that returns a plain value', () => {
    expect(new Rates(0).plain()).to.equal('not async at all');
  });

  it('runs the body inside the call: currentSignal() is the call’s signal there', () => {
    const [outer, inBody] = new Rates(0).signals();
    expect(outer).to.be.instanceOf(AbortSignal);
    expect(inBody).to.equal(outer);
  });

  it('blockingBody() in a @runInReactor method fails the call with a clear TypeError', () => {
    // The method runs on the reactor, so the misuse surfaces through the EventualResult.
    let result: EventualResult<number> | undefined;
    expect(() => {
      result = new Rates(0).wrongBlocking() as unknown as EventualResult<number>;
    }).not.to.throw();
    expect(result).to.be.instanceOf(EventualResult);
    const failure = thrownBy(() => result?.wait(1_000));
    expect(failure).to.be.instanceOf(TypeError);
    expect((failure as Error).message).to.equal(
      messages.bodyHelperMismatch('blockingBody', '@runInReactor'),
    );
  });

  it('eventualBody() in a @waitFor method throws a clear TypeError to the caller', () => {
    const failure = thrownBy(() => new Rates(0).wrongEventual());
    expect(failure).to.be.instanceOf(TypeError);
    expect((failure as Error).message).to.equal(
      messages.bodyHelperMismatch('eventualBody', '@waitFor(ms)'),
    );
  });

  it('blockingBody() / eventualBody() outside any call throw a clear TypeError', () => {
    expect(() => blockingBody(async () => 1)).to.throw(
      TypeError,
      messages.bodyHelperOutsideCall('blockingBody'),
    );
    expect(() => eventualBody(async () => 1)).to.throw(
      TypeError,
      messages.bodyHelperOutsideCall('eventualBody'),
    );
  });

  it('in an undecorated method throws a clear TypeError', () => {
    expect(() => new Rates(0).undecorated()).to.throw(
      TypeError,
      messages.bodyHelperOutsideCall('blockingBody'),
    );
  });

  it('inside the body (after the method returned) is refused as outside the method', () => {
    const failure = thrownBy(() => new Rates(0).lateHelper());
    expect(failure).to.be.instanceOf(TypeError);
    expect((failure as Error).message).to.equal(messages.bodyHelperOutsideCall('blockingBody'));
  });

  it('rejects a body that is not a function, quoting it', () => {
    const notAFunction = 42 as unknown as () => number;
    const inCall = r.waitFor(1_000)(() => blockingBody(notAFunction));
    const failure = thrownBy(() => inCall());
    expect(failure).to.be.instanceOf(TypeError);
    expect((failure as Error).message).to.equal(messages.notAFunction(42, 'blockingBody()'));
    expect((failure as Error).message).to.include(quote(42));
    expect(() => eventualBody(notAFunction)).to.throw(
      TypeError,
      messages.notAFunction(42, 'eventualBody()'),
    );
  });

  it('works in wrapped functions as well as in decorated methods', () => {
    const blocking = r.waitFor(1_000)((x: number): number =>
      blockingBody(async () => (await delay(1, x)) * 2),
    );
    const eventual = r.runInReactor((x: number): EventualResult<number> =>
      eventualBody(async () => (await delay(1, x)) * 3),
    );
    expect(blocking(4)).to.equal(8);
    const result: EventualResult<number> = eventual(4);
    expect(result.wait(1_000)).to.equal(12);
  });
});
