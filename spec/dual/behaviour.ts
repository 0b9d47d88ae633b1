/**
 * The behaviour both decorator modes must share, as mocha suites over the service of
 * spec/dual/service.ts. Called by spec/decorator-modes.spec.ts (compiled with legacy
 * `experimentalDecorators`) and spec/standard/decorator-modes.spec.ts (compiled without it, so
 * with standard TC39 decorators); both builds compile this file and the service from the same
 * source.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import {
  EventualResult,
  reactorMethods,
  ReactorThread,
  TimeoutError,
  unwrap,
  type ReactorMethodEntry,
} from '../../lib/index';
import type { DecoratorMode } from '../../lib/declare/misuse-text';
import { createFacadeFactory, messages } from '../../lib/testing';
import { ownReactor, thrownBy } from '../helpers/own-reactor';
import { bySymbol, compiledMode, defineServices, type AnyDecorator } from './service';

/** How a mode names a decorated method in messages (standard decorators are not told the class). */
export function methodLabel(
  mode: 'legacy' | 'standard',
  decorator: string,
  className: string,
  name: string,
  isStatic = false,
): string {
  if (mode === 'standard') return `${decorator} method ${isStatic ? 'static ' : ''}${name}()`;
  return `${decorator} method ${className}${isStatic ? '.' : '.prototype.'}${name}()`;
}

export function decoratorBehaviour(expected: 'legacy' | 'standard'): void {
  describe(`decorators compiled as ${expected} decorators`, () => {
    it(`were applied with the ${expected} calling convention`, () => {
      expect(compiledMode).to.equal(expected);
    });

    describe('calls', () => {
      const r = ownReactor();
      const { Rates, LiveRates } = defineServices(r);

      it('block until the value, with `this` and every argument', () => {
        const rates = new Rates('x');
        expect(rates.describe('<', '>')).to.equal('<x>');
        expect(rates.slowly(20)).to.equal('x after 20');
        const object = { ref: 1 };
        const all = rates.collect(object, undefined, 3);
        expect(all.self).to.equal(rates);
        expect(all.args[0]).to.equal(object);
        expect(all.args.slice(1)).to.deep.equal([undefined, 3]);
        expect(all.count).to.equal(3);
        expect(rates.collect().count).to.equal(0);
      });

      it('@runInReactor returns an EventualResult without running the body inside the call', () => {
        const rates = new Rates('y');
        const result = rates.later('>') as unknown as EventualResult<string>;
        expect(result).to.be.instanceOf(EventualResult);
        expect(rates.log).to.deep.equal([]);
        expect(result.wait(1_000)).to.equal('>y');
        expect(rates.log).to.deep.equal(['later body']);
        expect((rates[bySymbol]() as unknown as EventualResult<string>).wait(1_000)).to.equal(
          'by symbol',
        );
      });

      it('blockingBody() and eventualBody() give what the method is declared to return', () => {
        const rates = new Rates('z');
        const n: number = rates.latest('EURUSD');
        expect(n).to.equal(6);
        const refreshed: EventualResult<string> = rates.refresh();
        expect(refreshed).to.be.instanceOf(EventualResult);
        expect(refreshed.wait(1_000)).to.equal('refreshed z');
      });

      it('static methods get the class they were called on as `this`, inherited ones too', () => {
        const made = Rates.make('s');
        expect(made).to.be.instanceOf(Rates);
        expect(made.label).to.equal('s');
        const derived = LiveRates.make('d');
        expect(derived).to.be.instanceOf(LiveRates);
        expect((LiveRates.kind() as unknown as EventualResult<string>).wait(1_000)).to.equal(
          'LiveRates',
        );
        expect(new LiveRates('i').collect().self).to.be.instanceOf(LiveRates);
      });

      it('a subclass decides alone: redecorated and undecorated overrides', () => {
        const live = new LiveRates('l');
        expect((live.latest('ab') as unknown as EventualResult<number>).wait(1_000)).to.equal(4);
        expect(live.describe('<', '>')).to.equal('>l<');
        expect((live.stop() as unknown as EventualResult<string>).wait(1_000)).to.equal('stopped');
      });

      it('keep `name` and `length`', () => {
        expect(Rates.prototype.describe.name).to.equal('describe');
        expect(Rates.prototype.describe.length).to.equal(2);
        expect(Rates.prototype.arity.length).to.equal(2);
        expect(Rates.prototype.collect.length).to.equal(0);
        expect(Rates.make.name).to.equal('make');
        expect(Rates.make.length).to.equal(1);
        expect(Rates.prototype[bySymbol].name).to.equal('[bySymbol]');
      });

      it('time out with TimeoutError naming the method, and abort currentSignal()', () => {
        const error = thrownBy(() => new Rates('t').tooSlow());
        expect(error).to.be.instanceOf(TimeoutError);
        expect((error as Error).message).to.equal(
          messages.timeout(50, methodLabel(expected, '@waitFor(50)', 'Rates', 'tooSlow')),
        );
      });

      it('refuse calls before setup with the same message form', () => {
        const early = ownReactor(false);
        const { Rates: EarlyRates } = defineServices(early);
        expect(() => EarlyRates.make('e')).to.throw(
          messages.notSetUp(methodLabel(expected, '@waitFor(250)', 'Rates', 'make', true)),
        );
      });
    });

    describe('unwrap()', () => {
      const { Rates } = defineServices(ownReactor());

      it('gives the original method, runnable with await and no reactor', async () => {
        const original = unwrap(Rates.prototype.later);
        expect(original).not.to.equal(Rates.prototype.later);
        expect(await original.call(new Rates('u'), '>')).to.equal('>u');
        expect(unwrap(Rates.make).call(Rates, 'v')).to.be.instanceOf(Rates);
      });
    });

    describe('reactorMethods()', () => {
      const { Rates, LiveRates } = defineServices(ownReactor(false));
      const waitFor = (name: string, timeoutMs: number, isStatic = false): ReactorMethodEntry => ({
        name,
        kind: 'waitFor',
        timeoutMs,
        static: isStatic,
      });
      const eventual = (name: string | symbol, isStatic = false): ReactorMethodEntry => ({
        name,
        kind: 'runInReactor',
        static: isStatic,
      });

      it('lists own decorated methods, instance ones first, then static ones', () => {
        expect(reactorMethods(Rates)).to.deep.equal([
          waitFor('describe', 1_000),
          waitFor('slowly', 1_000),
          waitFor('tooSlow', 50),
          eventual('later'),
          waitFor('latest', 1_000),
          eventual('refresh'),
          waitFor('collect', 1_000),
          waitFor('arity', 1_000),
          eventual(bySymbol),
          waitFor('make', 250, true),
          eventual('kind', true),
        ]);
      });

      it('includes inherited ones; a redecorated override wins, an undecorated one drops out', () => {
        expect(reactorMethods(LiveRates)).to.deep.equal([
          eventual('stop'),
          eventual('latest'),
          waitFor('slowly', 1_000),
          waitFor('tooSlow', 50),
          eventual('later'),
          eventual('refresh'),
          waitFor('collect', 1_000),
          waitFor('arity', 1_000),
          eventual(bySymbol),
          waitFor('make', 250, true),
          eventual('kind', true),
        ]);
        // The parent is unchanged by what the subclass did.
        expect(reactorMethods(Rates).map((e) => e.name)).to.include('describe');
      });

      it('works for a subclass without decorators of its own', () => {
        class Plain extends LiveRates {}
        expect(reactorMethods(Plain)).to.deep.equal(reactorMethods(LiveRates));
      });
    });

    describe('facades', () => {
      const r = ownReactor();
      const facade = createFacadeFactory(r.controller);
      const { Rates, Quotes } = defineServices(r);

      it("use the service's own @waitFor timeouts and call the undecorated original", () => {
        const QuotesFacade = facade(Quotes, {
          timeoutMs: 1_000,
          timeouts: { slowish: 1_000 },
          eventual: ['background'],
        });
        const entries = new Map(reactorMethods(QuotesFacade).map((e) => [e.name, e]));
        expect(entries.get('quick')?.timeoutMs).to.equal(300);
        expect(entries.get('hang')?.timeoutMs).to.equal(40);
        const quotes = new QuotesFacade(new Quotes());
        // The service's own @waitFor(20) would time out; the facade calls the original instead.
        expect(quotes.slowish()).to.equal('original ran');
        expect(quotes.quick()).to.equal(1);
        expect(quotes.background().wait(1_000)).to.equal('bg');
        const error = thrownBy(() => quotes.hang());
        expect(error).to.be.instanceOf(TimeoutError);
        expect((error as TimeoutError).timeoutMs).to.equal(40);
      });

      it('refuse a @runInReactor service method not listed as eventual', () => {
        expect(() => facade(Quotes, { timeoutMs: 10 })).to.throw(
          TypeError,
          messages.facadeEventualNotListed('Quotes', 'background'),
        );
      });

      it('work over a class with blockingBody()/eventualBody() methods', () => {
        const RatesFacade = facade(Rates, {
          timeoutMs: 1_000,
          eventual: ['later', 'refresh', bySymbol] as const,
        });
        const rates = new RatesFacade(new Rates('f'));
        expect(rates.describe('(', ')')).to.equal('(f)');
        expect(rates.slowly(1)).to.equal('f after 1');
      });
    });

    describe('misuse', () => {
      const r = ownReactor();
      const mode: DecoratorMode = expected;
      const onMember = r.waitFor(10) as unknown as AnyDecorator;
      const eventualOnMember = r.runInReactor as unknown as AnyDecorator;

      it('on a field: names the mode and says what to do', () => {
        const error = thrownBy(() => {
          class WithField {
            @onMember
            value = async (): Promise<number> => 1;
          }
          return WithField;
        }) as Error;
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.equal(messages.notAMethod('@waitFor(10)', mode, 'value', 'field'));
        expect(error.message).to.include(`${expected} decorators detected`);
        expect(error.message).to.include('value = waitFor(10)(fn)');
      });

      it('on a getter and on a setter', () => {
        expect(() => {
          class WithGetter {
            @onMember
            get value(): number {
              return 1;
            }
          }
          return WithGetter;
        }).to.throw(TypeError, messages.notAMethod('@waitFor(10)', mode, 'value', 'getter'));
        expect(() => {
          class WithSetter {
            @eventualOnMember
            set value(_v: number) {}
          }
          return WithSetter;
        }).to.throw(TypeError, messages.notAMethod('@runInReactor', mode, 'value', 'setter'));
      });

      it('on a class', () => {
        const error = thrownBy(() => {
          @onMember
          class Whole {}
          return Whole;
        }) as Error;
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.equal(
          messages.notAMethod(
            '@waitFor(10)',
            expected === 'legacy' ? 'legacy-or-function' : 'standard',
            'Whole',
            'class',
          ),
        );
        expect(error.message).to.include('facade(ServiceClass, { timeoutMs })');
      });
    });

    describe('in a reactor thread', () => {
      let thread: ReactorThread;
      before(() => {
        thread = new ReactorThread({ name: `spec-${expected}-decorators` });
      });
      after(() => thread.stop());

      it("honours the hosted class's own decorators", () => {
        type Hosted = typeof import('./hosted');
        const hosted = thread.load<Hosted>(path.join(__dirname, 'hosted.js'));
        expect(() => hosted.create('Hosted', [], { timeoutMs: 5_000 })).to.throw(
          TypeError,
          messages.facadeEventualNotListed('Hosted', 'background'),
        );
        const service = hosted.create('Hosted', [], { timeoutMs: 5_000, eventual: ['background'] });
        expect(service.mode()).to.equal(expected);
        expect(service.echo('e')).to.equal('e');
        expect(service.background().wait(1_000)).to.equal('bg');
        const started = performance.now();
        expect(() => service.hang()).to.throw(TimeoutError);
        expect(performance.now() - started).to.be.below(1_500);
      });
    });
  });
}
