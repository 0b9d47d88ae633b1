/**
 * Standard TC39 decorators: this folder is compiled by spec/standard/tsconfig.json, which turns
 * `experimentalDecorators` (and `emitDecoratorMetadata`) off, as TypeScript 5+ and esbuild (tsx,
 * Vite, Vitest) do by default, into dist/standard. The suites shared with legacy decorators run
 * over the same service source (spec/dual), then what only standard decorators can express.
 */
import { expect } from 'chai';
import { EventualResult, reactorMethods, unwrap } from '../../lib/index';
import { messages } from '../../lib/testing';
import { decoratorBehaviour } from '../dual/behaviour';
import { defineServices, type AnyDecorator } from '../dual/service';
import { ownReactor, thrownBy } from '../helpers/own-reactor';

decoratorBehaviour('standard');

describe('standard decorators only', () => {
  const r = ownReactor();

  it('register in the class’s own decorator metadata (Symbol.metadata)', () => {
    const { Rates, LiveRates } = defineServices(r);
    const metadataSymbol = (Symbol as unknown as { metadata: symbol }).metadata;
    expect(metadataSymbol).to.be.a('symbol');
    expect(Object.hasOwn(Rates, metadataSymbol)).to.equal(true);
    expect(Object.hasOwn(LiveRates, metadataSymbol)).to.equal(true);
    // No reflect-metadata design types are emitted in this build.
    expect(Reflect.getOwnMetadataKeys(Rates.prototype, 'describe')).to.deep.equal([]);
  });

  it('bind a #private method to the reactor, but cannot list it', () => {
    class Secret {
      @r.waitFor(1_000)
      async #reveal(): Promise<string> {
        return 'revealed';
      }

      reveal(): string {
        return this.#reveal() as unknown as string;
      }
    }
    expect(new Secret().reveal()).to.equal('revealed');
    expect(reactorMethods(Secret)).to.deep.equal([]);
  });

  it('refuse an auto-accessor, naming the mode', () => {
    const onMember = r.runInReactor as unknown as AnyDecorator;
    expect(() => {
      class WithAccessor {
        @onMember
        accessor value = 1;
      }
      return WithAccessor;
    }).to.throw(
      TypeError,
      messages.notAMethod('@runInReactor', 'standard', 'value', 'auto-accessor'),
    );
  });

  it('without a metadata object (TypeScript 5.0/5.1): reactorMethods() still finds them', () => {
    class Manual {
      fetch(): number {
        return 1;
      }

      static start(): string {
        return 'started';
      }
    }
    const applied = r.waitFor(30) as unknown as (value: unknown, context: object) => unknown;
    const eventual = r.runInReactor as unknown as (value: unknown, context: object) => unknown;
    const original = Manual.prototype.fetch;
    const replacement = applied(original, { kind: 'method', name: 'fetch', static: false });
    Object.defineProperty(Manual.prototype, 'fetch', { value: replacement });
    Object.defineProperty(Manual, 'start', {
      value: eventual(Manual.start, { kind: 'method', name: 'start', static: true }),
    });
    expect(reactorMethods(Manual)).to.deep.equal([
      { name: 'fetch', kind: 'waitFor', timeoutMs: 30, static: false },
      { name: 'start', kind: 'runInReactor', static: true },
    ]);
    expect(unwrap(Manual.prototype.fetch)).to.equal(original);
    expect(new Manual().fetch()).to.equal(1);
    expect((Manual.start() as unknown as EventualResult<string>).wait(1_000)).to.equal('started');
    // Copied under another name, the replacement is not taken for a decorated method.
    class Copy {}
    Object.defineProperty(Copy.prototype, 'other', { value: replacement });
    expect(reactorMethods(Copy)).to.deep.equal([]);
  });

  it('refuse a decorator applied to something that is not a function as a method', () => {
    const applied = r.waitFor(30) as unknown as (value: unknown, context: object) => unknown;
    const error = thrownBy(() => applied(42, { kind: 'method', name: 'odd' })) as Error;
    expect(error).to.be.instanceOf(TypeError);
    expect(error.message).to.equal(
      messages.notAMethod('@waitFor(30)', 'standard', 'odd', 'value', 42),
    );
  });
});
