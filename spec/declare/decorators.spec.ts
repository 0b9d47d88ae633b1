/**
 * `@waitFor(ms)` / `@runInReactor` and their function forms: call semantics (`runInReactor`
 * never runs the body inside the call), wrapper fidelity (`this`, arguments, `name`, `length`),
 * misuse at decoration time, `unwrap()`, and calls before the reactor is set up.
 */
import { expect } from 'chai';
import { createDecorators } from '../../lib/declare/decorators';
import {
  EventualResult,
  NotSetUpError,
  noSetup,
  runInReactor as globalRunInReactor,
  unwrap,
  waitFor as globalWaitFor,
} from '../../lib/index';
import { messages, resetReactor } from '../../lib/testing';
import { quote } from '../../lib/quote';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { delay, ownReactor, thrownBy } from '../helpers/own-reactor';

/** A decorator applied the way TypeScript applies one to a class field (no descriptor). */
type FieldDecorator = (target: object, key: string | symbol) => void;

describe('decorators', () => {
  describe('@runInReactor', () => {
    const r = ownReactor();

    it('returns an EventualResult at once without running the body inside the call', () => {
      const log: string[] = [];
      const run = r.runInReactor(() => {
        log.push('body');
        return 'done';
      });
      const result = run();
      log.push('returned');
      expect(result).to.be.instanceOf(EventualResult);
      expect(log).to.deep.equal(['returned']);
      expect(result.wait(1_000)).to.equal('done');
      expect(log).to.deep.equal(['returned', 'body']);
    });

    it('does not run the body inside the call even when called from another reactor-bound body', () => {
      const log: string[] = [];
      const inner = r.runInReactor(() => {
        log.push('inner body');
      });
      const outer = r.waitFor(1_000)(() => {
        const result = inner();
        log.push('inner returned');
        return result;
      });
      const result = outer();
      expect(log[0]).to.equal('inner returned');
      result.wait(1_000);
      expect(log).to.deep.equal(['inner returned', 'inner body']);
    });

    it('throws a body error out of wait(), not at the call site', () => {
      const error = new Error('from the body');
      const fail = r.runInReactor((): void => {
        throw error;
      });
      let result: EventualResult<void> | undefined;
      expect(() => {
        result = fail();
      }).not.to.throw();
      expect(result).to.be.instanceOf(EventualResult);
      expect(thrownBy(() => result?.wait(1_000))).to.equal(error);
    });

    it('does not let a body that throws synchronously disturb the code after the call', () => {
      const fail = r.runInReactor((): void => {
        throw new Error('later');
      });
      const results = [fail(), fail()];
      expect(results.map((result) => result.originalError())).to.deep.equal([undefined, undefined]);
      r.pumpFor(0);
      for (const result of results) expect(result.originalError()).to.be.instanceOf(Error);
    });
  });

  describe('@waitFor', () => {
    const r = ownReactor();

    it('returns the value to the caller, blocking until the body settles', () => {
      const started = performance.now();
      expect(r.waitFor(1_000)(() => delay(30, 'late'))()).to.equal('late');
      expect(performance.now() - started).to.be.at.least(25);
    });
  });

  describe('wrapper fidelity', () => {
    const r = ownReactor();

    class Base {
      static created = 0;
      constructor(readonly label: string) {}

      @r.waitFor(1_000)
      describe(prefix: string, suffix: string): string {
        return `${prefix}${this.label}${suffix}`;
      }

      @r.runInReactor
      async later(prefix: string): Promise<string> {
        await delay(1, undefined);
        return `${prefix}${this.label}`;
      }

      @r.waitFor(1_000)
      static make(label: string): Base {
        this.created += 1;
        return new this(label);
      }

      @r.runInReactor
      static kind(): string {
        return this.name;
      }

      @r.waitFor(1_000)
      collect(...args: unknown[]): { self: unknown; args: unknown[]; count: number } {
        return { self: this, args, count: arguments.length };
      }

      @r.waitFor(1_000)
      arity(a: number, b: number, c = 0): number {
        return a + b + c;
      }
    }

    class Derived extends Base {}

    it('passes `this` to instance methods', () => {
      const thing = new Base('x');
      expect(thing.describe('<', '>')).to.equal('<x>');
      expect((thing.later('>') as unknown as EventualResult<string>).wait(1_000)).to.equal('>x');
      const result = thing.collect();
      expect(result.self).to.equal(thing);
    });

    it('passes `this` to static methods (the class it was called on)', () => {
      const made = Base.make('s');
      expect(made).to.be.instanceOf(Base);
      expect(made.label).to.equal('s');
      expect((Base.kind() as unknown as EventualResult<string>).wait(1_000)).to.equal('Base');
    });

    it('works for inherited instance and static methods, with the subclass as `this`', () => {
      const derived = new Derived('d');
      expect(derived.describe('[', ']')).to.equal('[d]');
      expect(derived.collect().self).to.equal(derived);
      const made = Derived.make('m');
      expect(made).to.be.instanceOf(Derived);
      expect((Derived.kind() as unknown as EventualResult<string>).wait(1_000)).to.equal('Derived');
    });

    it('passes `this` given with call/apply, and undefined for a bare call', () => {
      const wrapped = r.waitFor(1_000)(function (this: unknown) {
        return this;
      });
      const self = { me: true };
      expect(wrapped.call(self)).to.equal(self);
      expect(wrapped.apply(self, [])).to.equal(self);
      expect(wrapped()).to.equal(undefined);
    });

    it('passes every argument: the same objects, explicit undefined, extras beyond length', () => {
      const thing = new Base('x');
      const object = { ref: 1 };
      const fn = (): void => undefined;
      const all = thing.collect(object, fn, undefined, null, 0, 'extra');
      expect(all.args).to.have.length(6);
      expect(all.args[0]).to.equal(object);
      expect(all.args[1]).to.equal(fn);
      expect(all.args.slice(2)).to.deep.equal([undefined, null, 0, 'extra']);
      expect(all.count).to.equal(6);
      expect(thing.collect(undefined).count).to.equal(1);
      expect(thing.collect().count).to.equal(0);
    });

    it('passes every argument through runInReactor(fn)', () => {
      const wrapped = r.runInReactor((...args: unknown[]) => args);
      const object = {};
      const args = wrapped(object, undefined, 3).wait(1_000);
      expect(args).to.have.length(3);
      expect(args[0]).to.equal(object);
      expect(args.slice(1)).to.deep.equal([undefined, 3]);
    });

    it('keeps `name` and `length` of decorated methods', () => {
      expect(Base.prototype.describe.name).to.equal('describe');
      expect(Base.prototype.describe.length).to.equal(2);
      expect(Base.prototype.later.name).to.equal('later');
      expect(Base.prototype.later.length).to.equal(1);
      expect(Base.make.name).to.equal('make');
      expect(Base.make.length).to.equal(1);
      expect(Base.kind.length).to.equal(0);
      expect(Base.prototype.arity.length).to.equal(2);
      expect(Base.prototype.collect.length).to.equal(0);
    });

    it('keeps `name` and `length` of wrapped functions', () => {
      function namedFunction(_a: number, _b: string, _c: boolean): void {}
      const blocking = r.waitFor(5)(namedFunction);
      const eventual = r.runInReactor(namedFunction);
      for (const wrapped of [blocking, eventual]) {
        expect(wrapped.name).to.equal('namedFunction');
        expect(wrapped.length).to.equal(3);
        expect(wrapped).not.to.equal(namedFunction);
      }
    });

    it('keeps a symbol-keyed method callable under its symbol with its name', () => {
      const key = Symbol('secret');
      class Keyed {
        @r.waitFor(1_000)
        [key](): string {
          return 'by symbol';
        }
      }
      expect(new Keyed()[key]()).to.equal('by symbol');
      expect(Keyed.prototype[key].name).to.equal('[secret]');
    });
  });

  describe('setup', () => {
    it('decorating needs no setup(), but calling before setup throws NotSetUpError', () => {
      const r = ownReactor(false);
      let ran = false;
      class Early {
        @r.waitFor(100)
        blocking(): number {
          ran = true;
          return 1;
        }

        @r.runInReactor
        eventual(): number {
          ran = true;
          return 2;
        }
      }
      const early = new Early();
      const blockingError = thrownBy(() => early.blocking());
      expect(blockingError).to.be.instanceOf(NotSetUpError);
      expect((blockingError as Error).message).to.equal(
        messages.notSetUp('@waitFor(100) method Early.prototype.blocking()'),
      );
      const eventualError = thrownBy(() => early.eventual());
      expect(eventualError).to.be.instanceOf(NotSetUpError);
      expect((eventualError as Error).message).to.equal(
        messages.notSetUp('@runInReactor method Early.prototype.eventual()'),
      );
      r.controller.noSetup();
      expect(early.blocking()).to.equal(1);
      expect(ran).to.equal(true);
    });

    it('never runs the body of a call refused before setup', () => {
      const r = ownReactor(false);
      let ran = 0;
      const wrapped = r.runInReactor(() => {
        ran += 1;
      });
      expect(() => wrapped()).to.throw(
        NotSetUpError,
        messages.notSetUp('runInReactor() function <anonymous>()'),
      );
      r.controller.noSetup();
      r.pumpFor(5);
      expect(ran).to.equal(0);
    });

    describe('the package-level decorators (global reactor)', () => {
      afterEach(() => resetReactor());

      it('decorate without setup, refuse calls before it, and work after noSetup()', () => {
        class Global {
          @globalWaitFor(1_000)
          answer(): Promise<number> {
            return delay(1, 42);
          }

          @globalRunInReactor
          eventual(): number {
            return 7;
          }
        }
        const global = new Global();
        expect(() => global.answer()).to.throw(NotSetUpError);
        expect(() => global.eventual()).to.throw(NotSetUpError);
        noSetup();
        expect(global.answer() as unknown).to.equal(42);
        expect((global.eventual() as unknown as EventualResult<number>).wait(1_000)).to.equal(7);
      });
    });
  });

  describe('misuse at decoration time', () => {
    const r = ownReactor();

    it('rejects @waitFor / @runInReactor on a class field (no descriptor)', () => {
      const onField = r.waitFor(10) as unknown as FieldDecorator;
      const eventualOnField = r.runInReactor as unknown as FieldDecorator;
      expect(() => {
        class WithField {
          @onField
          value = 1;
        }
        return WithField;
      }).to.throw(TypeError, messages.notAMethod('@waitFor(10)', 'legacy', 'value', 'field'));
      expect(() => {
        class WithField {
          @eventualOnField
          value = 1;
        }
        return WithField;
      }).to.throw(TypeError, messages.notAMethod('@runInReactor', 'legacy', 'value', 'field'));
    });

    it('rejects @waitFor / @runInReactor on an accessor', () => {
      expect(() => {
        class WithGetter {
          @r.waitFor(10)
          get value(): number {
            return 1;
          }
        }
        return WithGetter;
      }).to.throw(TypeError, messages.notAMethod('@waitFor(10)', 'legacy', 'value', 'getter'));
      expect(() => {
        class WithSetter {
          @r.runInReactor
          set value(_v: number) {}
        }
        return WithSetter;
      }).to.throw(TypeError, messages.notAMethod('@runInReactor', 'legacy', 'value', 'setter'));
    });

    it('rejects a get/set pair, and a class given to the function form, naming the mode', () => {
      const pair: PropertyDescriptor = { get: () => 1, set: () => undefined };
      const error = thrownBy(() => r.waitFor(10)({}, 'both', pair)) as Error;
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.equal(
        messages.notAMethod('@waitFor(10)', 'legacy', 'both', 'accessor'),
      );
      expect(error.message).to.include('legacy decorators detected');
      class Service {}
      const wrap = r.runInReactor as unknown as (value: unknown) => unknown;
      expect(() => wrap(Service)).to.throw(
        TypeError,
        messages.notAMethod('@runInReactor', 'legacy-or-function', 'Service', 'class'),
      );
    });

    it('rejects a descriptor whose value is not a function, quoting the value', () => {
      const descriptor: PropertyDescriptor = { value: 42 };
      const message = thrownBy(() => r.waitFor(10)({}, 'notMethod', descriptor)) as Error;
      expect(message).to.be.instanceOf(TypeError);
      expect(message.message).to.equal(
        messages.notAMethod('@waitFor(10)', 'legacy', 'notMethod', 'value', 42),
      );
      expect(message.message).to.include(quote(42));
    });

    it('rejects a non-number timeout with a TypeError quoting it', () => {
      const error = thrownBy(() => r.waitFor('10' as unknown as number)) as Error;
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.equal(messages.badTimeout('10', 'waitFor()'));
      expect(error.message).to.include(quote('10'));
    });

    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      it(`rejects waitFor(${String(bad)}) with a RangeError quoting it`, () => {
        const error = thrownBy(() => r.waitFor(bad)) as Error;
        expect(error).to.be.instanceOf(RangeError);
        expect(error.message).to.equal(messages.badTimeout(bad, 'waitFor()'));
        expect(error.message).to.include(quote(bad));
      });
    }

    it('accepts waitFor(0)', () => {
      expect(r.waitFor(0)(() => 'now')()).to.equal('now');
    });

    it('rejects @runInReactor() written with parentheses', () => {
      const called = r.runInReactor as unknown as () => unknown;
      expect(() => called()).to.throw(TypeError, messages.runInReactorCalledEmpty());
    });

    for (const bad of [42, 'text', undefined, null, {}]) {
      it(`rejects runInReactor(${quote(bad)}) and waitFor(ms)(${quote(bad)}), quoting the value`, () => {
        const eventual = r.runInReactor as unknown as (value: unknown) => unknown;
        const blocking = r.waitFor(10) as unknown as (value: unknown) => unknown;
        const eventualError = thrownBy(() => eventual(bad)) as Error;
        expect(eventualError).to.be.instanceOf(TypeError);
        expect(eventualError.message).to.equal(messages.notAFunction(bad, 'runInReactor()'));
        expect(eventualError.message).to.include(quote(bad));
        const blockingError = thrownBy(() => blocking(bad)) as Error;
        expect(blockingError).to.be.instanceOf(TypeError);
        expect(blockingError.message).to.equal(messages.notAFunction(bad, 'waitFor(10)'));
      });
    }
  });

  describe('unwrap()', () => {
    const r = ownReactor();

    async function original(x: number): Promise<number> {
      await delay(1, undefined);
      return x + 1;
    }

    it('returns the identical original of a wrapped function', () => {
      expect(unwrap(r.waitFor(10)(original))).to.equal(original);
      expect(unwrap(r.runInReactor(original))).to.equal(original);
    });

    it('returns the identical original of a decorated method, runnable with await and no reactor', async () => {
      const body = async function (this: { base: number }, x: number): Promise<number> {
        await delay(1, undefined);
        return this.base + x;
      };
      const descriptor: PropertyDescriptor = { value: body, writable: true, configurable: true };
      const notStarted = createDecorators(
        new ReactorController({ ...defaultCollaborators(), logger: { error: () => undefined } }),
      );
      notStarted.waitFor(10)({}, 'method', descriptor);
      const wrapper = descriptor.value as (x: number) => number;
      expect(wrapper).not.to.equal(body);
      expect(unwrap(wrapper)).to.equal(body);
      expect(await unwrap(wrapper).call({ base: 2 }, 3)).to.equal(5);
    });

    it('works on methods decorated in a class', () => {
      class Service {
        @r.waitFor(10)
        ping(): string {
          return 'pong';
        }
      }
      const raw = unwrap(Service.prototype.ping);
      expect(raw).not.to.equal(Service.prototype.ping);
      expect(raw.call(new Service())).to.equal('pong');
    });

    it('throws a TypeError for a plain function, quoting it', () => {
      const error = thrownBy(() => unwrap(original)) as Error;
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.equal(messages.notWrapped(original));
      expect(error.message).to.include(quote(original));
    });

    it('throws a TypeError for a non-function', () => {
      const notAFunction = 42 as unknown as () => void;
      expect(() => unwrap(notAFunction)).to.throw(TypeError, messages.notWrapped(42));
    });

    it('does not unwrap twice: the original of a wrapper of a wrapper is the inner wrapper', () => {
      const inner = r.waitFor(10)(original);
      const outer = r.runInReactor(inner);
      expect(unwrap(outer)).to.equal(inner);
      expect(unwrap(unwrap(outer))).to.equal(original);
    });
  });
});
