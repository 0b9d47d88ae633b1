/**
 * reactorMethods(Class): what the decorators recorded on a class and its ancestors.
 */
import { expect } from 'chai';
import { reactorMethods, type ReactorMethodEntry } from '../../lib/index';
import { messages } from '../../lib/testing';
import { ownReactor, thrownBy } from '../helpers/own-reactor';

describe('reactorMethods()', () => {
  const { waitFor, runInReactor } = ownReactor(false);
  const symbolKey = Symbol('bySymbol');

  class Base {
    @waitFor(100)
    fetch(): number {
      return 1;
    }

    @runInReactor
    start(): void {}

    plain(): void {}

    @waitFor(0)
    immediate(): number {
      return 0;
    }

    @waitFor(250)
    static create(): Base {
      return new Base();
    }

    @runInReactor
    static warmUp(): void {}

    static helper(): void {}

    @runInReactor
    [symbolKey](): void {}
  }

  class Child extends Base {
    @runInReactor
    stop(): void {}

    // Redecorated with another kind: the subclass decides alone.
    @runInReactor
    override fetch(): number {
      return 2;
    }

    // Overridden without decoration: no longer reactor-bound.
    override start(): void {}

    // A static overridden without decoration disappears too.
    static override warmUp(): void {}
  }

  class GrandChild extends Child {
    @waitFor(5)
    override plain(): void {}
  }

  class Undecorated {
    method(): void {}
  }

  const fetch: ReactorMethodEntry = {
    name: 'fetch',
    kind: 'waitFor',
    timeoutMs: 100,
    static: false,
  };
  const start: ReactorMethodEntry = { name: 'start', kind: 'runInReactor', static: false };
  const immediate: ReactorMethodEntry = {
    name: 'immediate',
    kind: 'waitFor',
    timeoutMs: 0,
    static: false,
  };
  const bySymbol: ReactorMethodEntry = { name: symbolKey, kind: 'runInReactor', static: false };
  const create: ReactorMethodEntry = {
    name: 'create',
    kind: 'waitFor',
    timeoutMs: 250,
    static: true,
  };
  const warmUp: ReactorMethodEntry = { name: 'warmUp', kind: 'runInReactor', static: true };

  it('lists own decorated methods in declaration order, instance ones first, then static ones', () => {
    expect(reactorMethods(Base)).to.deep.equal([fetch, start, immediate, bySymbol, create, warmUp]);
  });

  it('gives timeoutMs for @waitFor (also 0) and no timeoutMs key for @runInReactor', () => {
    const entries = reactorMethods(Base);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('immediate')?.timeoutMs).to.equal(0);
    expect(byName.get('start')).not.to.have.property('timeoutMs');
    expect(byName.get('warmUp')).not.to.have.property('timeoutMs');
  });

  it('does not list undecorated methods, instance or static', () => {
    const names = reactorMethods(Base).map((entry) => entry.name);
    expect(names).not.to.include('plain');
    expect(names).not.to.include('helper');
    expect(names).not.to.include('constructor');
  });

  it('includes inherited methods, lets a redecorated override win, drops an undecorated override', () => {
    const entries = reactorMethods(Child);
    expect(entries).to.deep.equal([
      { name: 'stop', kind: 'runInReactor', static: false },
      { name: 'fetch', kind: 'runInReactor', static: false },
      immediate,
      bySymbol,
      create,
    ]);
  });

  it('looks through several levels of inheritance', () => {
    expect(reactorMethods(GrandChild)).to.deep.equal([
      { name: 'plain', kind: 'waitFor', timeoutMs: 5, static: false },
      { name: 'stop', kind: 'runInReactor', static: false },
      { name: 'fetch', kind: 'runInReactor', static: false },
      immediate,
      bySymbol,
      create,
    ]);
  });

  it('leaves the parent class unchanged by what subclasses do', () => {
    expect(reactorMethods(Base)).to.deep.equal([fetch, start, immediate, bySymbol, create, warmUp]);
  });

  it('marks static methods with static: true, also when inherited', () => {
    class StaticOnly extends Base {}
    const statics = reactorMethods(StaticOnly).filter((entry) => entry.static);
    expect(statics).to.deep.equal([create, warmUp]);
  });

  it('returns an empty list for a class with no decorated methods', () => {
    expect(reactorMethods(Undecorated)).to.deep.equal([]);
    class Sub extends Undecorated {}
    expect(reactorMethods(Sub)).to.deep.equal([]);
  });

  it('gives a fresh array: changing it changes nothing recorded', () => {
    const first = reactorMethods(Base);
    first.length = 0;
    expect(reactorMethods(Base)).to.have.length(6);
  });

  it('throws a TypeError for something that is not a class, quoting it', () => {
    for (const bad of [42, 'Base', null, {}]) {
      const error = thrownBy(() => reactorMethods(bad as unknown as typeof Base));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal(messages.notAClass(bad));
    }
  });
});
