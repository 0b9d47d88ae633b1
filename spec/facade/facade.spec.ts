import { expect } from 'chai';
import * as sinon from 'sinon';
import { createDecorators } from '../../lib/declare/decorators';
import { ReactorStopped, TimeoutError } from '../../lib/errors';
import { EventualResult } from '../../lib/core/eventual-result';
import { currentSignal } from '../../lib/core/call-context';
import { createFacadeFactory } from '../../lib/facade/facade';
import type { Logger } from '../../lib/core/logger';
import { messages } from '../../lib/messages';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { reactorMethods } from '../../lib/declare/reactor-methods';

function newReactor(): { controller: ReactorController; errors: unknown[][] } {
  const errors: unknown[][] = [];
  const logger: Logger = { error: (message, error) => errors.push([message, error]) };
  const controller = new ReactorController({ ...defaultCollaborators(), logger });
  controller.noSetup();
  return { controller, errors };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

class BaseService {
  async ping(): Promise<string> {
    return 'pong';
  }
}

class Counter extends BaseService {
  #count = 0;
  seen: AbortSignal[] = [];

  async increment(by: number): Promise<number> {
    this.#count += by;
    return this.#count;
  }

  value(): number {
    return this.#count;
  }

  async slow(ms: number): Promise<string> {
    this.seen.push(currentSignal());
    await sleep(ms, currentSignal());
    return 'slow done';
  }

  async start(): Promise<void> {
    this.#count = 100;
  }

  get label(): string {
    return 'counter';
  }
}

describe('facade()', () => {
  let controller: ReactorController;
  let facade: ReturnType<typeof createFacadeFactory>;

  beforeEach(() => {
    ({ controller } = newReactor());
    facade = createFacadeFactory(controller);
  });

  afterEach(() => controller.stop());

  it('gives a blocking method for every own and inherited method, keeping the service as this', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000 });
    const counter = new CounterFacade(new Counter());
    expect(counter.increment(2)).to.equal(2);
    expect(counter.increment(3)).to.equal(5);
    expect(counter.value()).to.equal(5);
    expect(counter.ping()).to.equal('pong');
    expect(Object.getOwnPropertyNames(CounterFacade.prototype)).to.not.include('label');
  });

  it('can be extended, and names the generated class after the service', () => {
    class Blocking extends facade(Counter, { timeoutMs: 1_000 }) {
      twice(): number {
        this.increment(1);
        return this.increment(1);
      }
    }
    expect(new Blocking(new Counter()).twice()).to.equal(2);
    expect(Object.getPrototypeOf(Blocking).name).to.equal('CounterFacade');
  });

  it('returns an EventualResult from eventual methods, whose body runs on the reactor', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000, eventual: ['start'] });
    const service = new Counter();
    const counter = new CounterFacade(service);
    const started = counter.start();
    expect(started).to.be.instanceOf(EventualResult);
    expect(service.value()).to.equal(0);
    started.wait(1_000);
    expect(service.value()).to.equal(100);
  });

  it('leaves out excluded methods', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000, exclude: ['slow', 'start'] });
    expect(CounterFacade.prototype).to.not.have.property('slow');
    expect(CounterFacade.prototype).to.not.have.property('start');
    expect(CounterFacade.prototype).to.have.property('value');
  });

  it('lists its generated methods in reactorMethods() with kind and timeout', () => {
    const CounterFacade = facade(Counter, {
      timeoutMs: 1_000,
      timeouts: { slow: 50 },
      eventual: ['start'],
      exclude: ['ping'],
    });
    const byName = new Map(reactorMethods(CounterFacade).map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).to.deep.equal(['increment', 'slow', 'start', 'value']);
    expect(byName.get('slow')).to.deep.include({ kind: 'waitFor', timeoutMs: 50, static: false });
    expect(byName.get('value')).to.deep.include({ kind: 'waitFor', timeoutMs: 1_000 });
    expect(byName.get('start')).to.deep.include({ kind: 'runInReactor' });
    expect(byName.get('start')).to.not.have.property('timeoutMs');
  });

  it('times out like @waitFor: TimeoutError for the caller, the abort for the service', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000, timeouts: { slow: 30 } });
    const service = new Counter();
    const counter = new CounterFacade(service);
    let caught: unknown;
    try {
      counter.slow(5_000);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(TimeoutError);
    expect(service.seen[0]?.aborted).to.equal(true);
    expect(service.seen[0]?.reason).to.equal(caught);
  });

  it('releases a blocked caller with ReactorStopped when the reactor stops', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 5_000 });
    const counter = new CounterFacade(new Counter());
    setTimeout(() => void controller.stop(), 20);
    expect(() => counter.slow(4_000)).to.throw(ReactorStopped);
    expect(() => counter.value()).to.throw(ReactorStopped);
  });

  it('forwards by name at call time, so sinon stubs added later take effect', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000 });
    const service = new Counter();
    const counter = new CounterFacade(service);
    sinon.stub(service, 'increment').resolves(42);
    expect(counter.increment(1)).to.equal(42);
    const onPrototype = sinon.stub(Counter.prototype, 'value').returns(7);
    try {
      expect(new CounterFacade(new Counter()).value()).to.equal(7);
    } finally {
      onPrototype.restore();
    }
  });

  it('uses a sinon stub put on after a first call, and the original again once it is restored', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000 });
    const service = new Counter();
    const counter = new CounterFacade(service);
    expect(counter.increment(1)).to.equal(1);
    const stub = sinon.stub(service, 'increment').resolves(42);
    try {
      expect(counter.increment(5)).to.equal(42);
      expect(stub.callCount).to.equal(1);
      expect(stub.firstCall.args).to.deep.equal([5]);
      expect(stub.firstCall.thisValue).to.equal(service);
    } finally {
      stub.restore();
    }
    // The original again: the stubbed call changed nothing.
    expect(counter.increment(2)).to.equal(3);
    expect(stub.callCount).to.equal(1);

    // The same with a stub on the prototype, after calls through two instances.
    const other = new CounterFacade(new Counter());
    expect(other.value()).to.equal(0);
    expect(counter.value()).to.equal(3);
    const onPrototype = sinon.stub(Counter.prototype, 'value').returns(7);
    try {
      expect(other.value()).to.equal(7);
      expect(counter.value()).to.equal(7);
    } finally {
      onPrototype.restore();
    }
    expect(other.value()).to.equal(0);
    expect(counter.value()).to.equal(3);
  });

  it('works over sinon.createStubInstance', () => {
    const CounterFacade = facade(Counter, { timeoutMs: 1_000 });
    const stub = sinon.createStubInstance(Counter);
    stub.increment.resolves(9);
    stub.increment.withArgs(2).rejects(new RangeError('too big'));
    const counter = new CounterFacade(stub);
    expect(counter.increment(1)).to.equal(9);
    expect(() => counter.increment(2)).to.throw(RangeError, 'too big');
    expect(stub.increment.callCount).to.equal(2);
  });

  it('wraps results in the declared facade, so reactor-side objects never leak', () => {
    class Connection {
      constructor(readonly id: number) {}
      async query(sql: string): Promise<string> {
        await sleep(5);
        return `${this.id}: ${sql}`;
      }
    }
    class Database {
      #opened = 0;
      async connect(): Promise<Connection> {
        this.#opened += 1;
        return new Connection(this.#opened);
      }
      async find(id: number): Promise<Connection | undefined> {
        return id > 0 ? new Connection(id) : undefined;
      }
    }
    const ConnectionFacade = facade(Connection, { timeoutMs: 1_000 });
    const DatabaseFacade = facade(Database, {
      timeoutMs: 1_000,
      wrap: { connect: ConnectionFacade, find: ConnectionFacade },
    });
    const db = new DatabaseFacade(new Database());
    const connection = db.connect();
    expect(connection).to.be.instanceOf(ConnectionFacade);
    expect(connection.query('select 1')).to.equal('1: select 1');
    expect(db.find(0)).to.equal(undefined);
    expect(db.find(3)?.query('x')).to.equal('3: x');
  });

  it('uses the service’s own decorator metadata and calls the undecorated original', () => {
    const { waitFor, runInReactor } = createDecorators(controller);
    class Decorated {
      @waitFor(20)
      async slowish(): Promise<string> {
        await sleep(60);
        return 'original ran';
      }

      @waitFor(300)
      async quick(): Promise<number> {
        return 1;
      }

      @runInReactor
      async background(): Promise<string> {
        return 'bg';
      }
    }
    const DecoratedFacade = facade(Decorated, {
      timeoutMs: 1_000,
      timeouts: { slowish: 1_000 },
      eventual: ['background'],
    });
    const entries = new Map(reactorMethods(DecoratedFacade).map((e) => [e.name, e]));
    expect(entries.get('quick')?.timeoutMs).to.equal(300);
    const blocking = new DecoratedFacade(new Decorated());
    // The service's own @waitFor(20) would time out; the facade calls the original instead.
    expect(blocking.slowish()).to.equal('original ran');
    expect(blocking.background().wait(1_000)).to.equal('bg');
  });

  it('refuses a @runInReactor service method that is not listed as eventual', () => {
    const { runInReactor } = createDecorators(controller);
    class Background {
      @runInReactor
      async work(): Promise<void> {}
    }
    expect(() => facade(Background, { timeoutMs: 10 })).to.throw(
      TypeError,
      messages.facadeEventualNotListed('Background', 'work'),
    );
  });

  it("wraps methods named like Object.prototype's members (toString, valueOf)", () => {
    // The options' plain-object defaults found Object.prototype.toString as a timeout, and as a
    // wrap class: facade() threw for a service with its own toString().
    class Named {
      async toString(): Promise<string> {
        return 'Named#1';
      }
      async valueOf(): Promise<number> {
        return 42;
      }
    }
    const NamedFacade = facade(Named, { timeoutMs: 500 });
    const named = new NamedFacade(new Named());
    expect(named.toString()).to.equal('Named#1');
    expect(named.valueOf()).to.equal(42);
  });

  describe('instance fields holding functions', () => {
    class Fields {
      readonly calls: string[] = [];
      label = 'not a function';
      double = async (n: number): Promise<number> => {
        this.calls.push('double');
        await sleep(1);
        return n * 2;
      };
      later = async (): Promise<string> => 'later';
      hang = async (): Promise<void> => sleep(5_000, currentSignal());
      hidden = (): string => 'hidden';

      method(): string {
        return 'method';
      }
    }

    it('are forwarded: blocking by default, eventual, with timeouts, excluded', () => {
      const FieldsFacade = facade(Fields, {
        timeoutMs: 1_000,
        eventual: ['later'],
        timeouts: { hang: 30 },
        exclude: ['hidden'],
      });
      const service = new Fields();
      const fields = new FieldsFacade(service);
      expect(fields.double(21)).to.equal(42);
      expect(service.calls).to.deep.equal(['double']);
      const later = fields.later();
      expect(later).to.be.instanceOf(EventualResult);
      expect(later.wait(1_000)).to.equal('later');
      const error = (() => {
        try {
          fields.hang();
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as TimeoutError).timeoutMs).to.equal(30);
      expect(fields.method()).to.equal('method');
      expect(fields).not.to.have.property('hidden');
      expect(fields).not.to.have.property('label');
      // One generated method per field name, shared by the facades of a class.
      expect(new FieldsFacade(new Fields()).double).to.equal(fields.double);
    });

    it('forward by name at call time, so a stub put on the field later is used', () => {
      const FieldsFacade = facade(Fields, { timeoutMs: 1_000 });
      const service = new Fields();
      const fields = new FieldsFacade(service);
      const stub = sinon.stub().resolves(7);
      service.double = stub;
      expect(fields.double(1)).to.equal(7);
      expect(stub.calledOnceWith(1)).to.equal(true);
    });

    it('leave a method of a facade subclass alone', () => {
      class Custom extends facade(Fields, { timeoutMs: 1_000 }) {}
      // A method (TypeScript types the facade's member as a property, so it is added by hand).
      Object.defineProperty(Custom.prototype, 'double', { value: (n: number): number => -n });
      expect(new Custom(new Fields()).double(2)).to.equal(-2);
    });

    it('refuse an option naming a field that the instance does not have, listing the fields', () => {
      const options = { timeoutMs: 1, exclude: ['triple'] } as unknown as { timeoutMs: number };
      const FieldsFacade = facade(Fields, options);
      expect(() => new FieldsFacade(new Fields())).to.throw(
        TypeError,
        messages.unknownMethodOption('facade(Fields)', 'Fields', 'exclude', 'triple', [
          'method',
          'double',
          'later',
          'hang',
          'hidden',
        ]),
      );
    });

    it('refuse a bad option for a field at facade() time', () => {
      expect(() => facade(Fields, { timeoutMs: 1, timeouts: { double: -1 } })).to.throw(
        RangeError,
        /timeouts\.double/,
      );
    });
  });

  describe('creation errors', () => {
    it('refuses a value that is not a class', () => {
      const notAClass = { increment: () => 1 } as unknown as typeof Counter;
      expect(() => facade(notAClass, { timeoutMs: 1 })).to.throw(
        TypeError,
        messages.facadeNeedsClass(notAClass),
      );
    });

    it('refuses options that name no method of the service, listing the methods', () => {
      const options = { timeoutMs: 1, eventual: ['nope'] } as unknown as { timeoutMs: number };
      // Not on the prototype: it could be an instance field, which only an instance shows.
      const CounterFacade = facade(Counter, options);
      const construct = (): unknown => new CounterFacade(new Counter());
      expect(construct).to.throw(TypeError, /option 'eventual' names 'nope'/);
      expect(construct).to.throw(
        TypeError,
        messages.unknownMethodOption('facade(Counter)', 'Counter', 'eventual', 'nope', [
          'increment',
          'value',
          'slow',
          'start',
          'ping',
        ]),
      );
    });

    it('refuses an accessor named as a method', () => {
      const options = { timeoutMs: 1, timeouts: { label: 5 } } as unknown as { timeoutMs: number };
      expect(() => facade(Counter, options)).to.throw(TypeError, /'timeouts' names 'label'/);
    });

    it('refuses a bad timeout, quoting it', () => {
      expect(() => facade(Counter, { timeoutMs: -5 })).to.throw(RangeError, /got -5/);
      expect(() => facade(Counter, { timeoutMs: 1, timeouts: { slow: Number.NaN } })).to.throw(
        RangeError,
        /got NaN/,
      );
    });

    it('refuses an option it does not know (a typo in plain JavaScript, say)', () => {
      const options = { timeoutMs: 1, eventuals: ['start'] } as unknown as { timeoutMs: number };
      expect(() => facade(Counter, options)).to.throw(
        TypeError,
        messages.unknownOption('facade(Counter)', 'eventuals', [
          'timeoutMs',
          'timeouts',
          'eventual',
          'exclude',
          'wrap',
        ]),
      );
    });

    it('refuses badly shaped options', () => {
      const options = { timeoutMs: 1, eventual: 'start' } as unknown as { timeoutMs: number };
      expect(() => facade(Counter, options)).to.throw(
        TypeError,
        messages.badOption('facade(Counter)', 'eventual', 'an array of method names', 'start'),
      );
    });

    it('refuses a facade constructed without a service instance', () => {
      const CounterFacade = facade(Counter, { timeoutMs: 1 });
      const missing = undefined as unknown as Counter;
      expect(() => new CounterFacade(missing)).to.throw(
        TypeError,
        messages.facadeNeedsInstance('Counter', undefined),
      );
    });

    it('says so when the forwarded method is no longer a function', () => {
      const CounterFacade = facade(Counter, { timeoutMs: 100 });
      const service = new Counter();
      Object.defineProperty(service, 'value', { value: 3 });
      expect(() => new CounterFacade(service).value()).to.throw(
        TypeError,
        messages.facadeMethodGone('Counter', 'value', 3),
      );
    });
  });
});
