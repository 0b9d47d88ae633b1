/**
 * byValue() on its own: plain data is posted as it is (the fast tree walk and the walk that
 * tracks what it has seen must agree), anything else is copied as data or refused with its path.
 */
import { expect } from 'chai';
import { NotData, byValue } from '../../../lib/thread/transport/by-value';

interface Node {
  next?: Node;
  run?: () => void;
  label?: string;
}

/** A plain chain `levels` deep, with `leaf` at the bottom. */
function chain(levels: number, leaf: Node): Node {
  let node = leaf;
  for (let i = 0; i < levels; i += 1) node = { next: node };
  return node;
}

describe('byValue()', () => {
  it('posts plain data as it is, without a copy', () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ id: i, name: `row ${i}`, ok: true }));
    expect(byValue(rows)).to.equal(rows);
  });

  it('posts a plain structure with a cycle as it is', () => {
    const node: { self?: unknown; items: unknown[] } = { items: [1, 'two'] };
    node.self = node;
    node.items.push(node);
    expect(byValue(node)).to.equal(node);
  });

  it('finds a function deeper than the fast walk goes, and leaves it out of the copy', () => {
    const deep = chain(200, { label: 'bottom', run: () => undefined });
    const copy = byValue(deep) as Node;
    expect(copy).to.not.equal(deep);
    let bottom = copy;
    for (let i = 0; i < 200; i += 1) bottom = bottom.next as Node;
    expect(bottom).to.deep.equal({ label: 'bottom' });
  });

  it('copies a cyclic instance as data with its cycle kept', () => {
    class Loop {
      self: Loop | undefined = undefined;
      name = 'loop';
      describe(): string {
        return this.name;
      }
    }
    const loop = new Loop();
    loop.self = loop;
    const copy = byValue({ loop }) as { loop: { self: unknown; name: string } };
    expect(Object.getPrototypeOf(copy.loop)).to.equal(Object.prototype);
    expect(copy.loop.self).to.equal(copy.loop);
    expect(copy.loop.name).to.equal('loop');
  });

  it('walks a graph that shares objects over and over in time linear in its objects', () => {
    // 50 levels, each an array holding the level below twice: 2^50 paths, 51 objects.
    let level: unknown[] = [1];
    for (let i = 0; i < 50; i += 1) level = [level, level];
    const started = process.hrtime.bigint();
    expect(byValue(level)).to.equal(level);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // The visit budget: about 100,000 visits, a few milliseconds; a walk of every path would
    // never end. The bound is generous for a loaded machine.
    expect(ms).to.be.below(2_000);
  });

  it('walks a map or set shared by many objects once, as structured clone does', () => {
    const shared = new Map(Array.from({ length: 10_000 }, (_, i) => [i, { n: i }]));
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, lookup: shared }));
    const timed = (fn: () => unknown): number => {
      const started = process.hrtime.bigint();
      fn();
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // The yardstick: structured clone, which visits every object once, on this machine now.
    const clone = Math.min(
      timed(() => structuredClone(rows)),
      timed(() => structuredClone(rows)),
    );
    const check = Math.min(
      timed(() => byValue(rows)),
      timed(() => byValue(rows)),
    );
    expect(byValue(rows)).to.equal(rows);
    // Walking the map once per reference is 10,000 times its size: about 100x the clone here.
    expect(check).to.be.below(10 * clone + 20);
  });

  it('refuses a promise inside plain data, with its path, deep or shallow', () => {
    const shallow = { rows: [{ later: Promise.resolve(1) }] };
    expect(() => byValue(shallow)).to.throw(NotData, 'the result.rows[0].later');
    const deep = chain(100, { label: 'x' });
    let bottom = deep;
    for (let i = 0; i < 100; i += 1) bottom = bottom.next as Node;
    Object.assign(bottom, { later: Promise.resolve(1) });
    expect(() => byValue(deep)).to.throw(NotData, /\.next\.later: a Promise/);
  });

  it('leaves a function in an array out of a result, and refuses one in an argument', () => {
    expect(byValue([1, () => 2, 'three'])).to.deep.equal([1, undefined, 'three']);
    expect(() =>
      byValue({ list: [1, function named() {}] }, { root: 'argument 2', functions: 'refuse' }),
    ).to.throw(NotData, 'argument 2.list[1]: the function named()');
    expect(() => byValue([Symbol('s')])).to.throw(NotData, 'the result[0]: Symbol(s)');
  });

  it('refuses a function inside an argument, with its path', () => {
    expect(() =>
      byValue({ plugins: [{ parse() {} }] }, { root: 'argument 1', functions: 'refuse' }),
    ).to.throw(NotData, 'argument 1.plugins[0].parse: the function parse()');
  });
});
