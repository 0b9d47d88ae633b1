/**
 * The spin-before-sleep budget shared by callers and hosts, and their one spin loop
 * (lib/thread/transport/adaptive-spin.ts).
 */
import { expect } from 'chai';
import {
  AdaptiveSpin,
  CoreCheck,
  LatencyBudget,
  spinUntil,
  spinUntilChanged,
  type CpuReading,
} from '../../../lib/thread/transport/adaptive-spin';

describe('reactor thread: adaptive spin budget', () => {
  it('spins the full budget while spinning pays off', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 1_000; i += 1) {
      expect(spin.nextMs()).to.equal(0.05);
      spin.worked(0.003);
    }
  });

  it('keeps spinning after an occasional failure (a GC pause, a preemption)', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 1_000; i += 1) {
      expect(spin.nextMs()).to.equal(0.05);
      if (i % 3 === 0) spin.failed();
      else if (i % 3 === 1) spin.worked(0.2);
      else spin.worked(0.003);
    }
  });

  it('stops after failures in a row, probes after 1, 2, 4... waits, then one in 256', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 4; i += 1) {
      expect(spin.nextMs()).to.equal(0.05);
      spin.failed();
    }
    const probes: number[] = [];
    for (let i = 0; i < 2_000; i += 1) {
      const budget = spin.nextMs();
      if (budget > 0) {
        expect(budget).to.equal(0.05);
        probes.push(i);
        spin.failed();
      }
    }
    const gaps = probes.slice(1).map((at, k) => at - (probes[k] ?? 0) - 1);
    expect(probes[0]).to.equal(1);
    expect(gaps.slice(0, 8)).to.deep.equal([2, 4, 8, 16, 32, 64, 128, 256]);
    expect(gaps.slice(8).every((gap) => gap === 256)).to.equal(true);
  });

  it('resumes at once when a probe pays, and starts probing early again on the next stop', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 4; i += 1) spin.failed();
    for (let i = 0; i < 600; i += 1) if (spin.nextMs() > 0) spin.failed();
    let budget = 0;
    while (budget === 0) budget = spin.nextMs();
    spin.worked(0.002);
    expect(spin.nextMs()).to.equal(0.05);
    expect(spin.nextMs()).to.equal(0.05);
    for (let i = 0; i < 4; i += 1) spin.failed();
    expect([spin.nextMs(), spin.nextMs()]).to.deep.equal([0, 0.05]);
  });

  it('weighs failures: half-weight ones stop it after twice as many', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 7; i += 1) {
      expect(spin.nextMs()).to.equal(0.05);
      spin.failed(0.5);
    }
    expect(spin.nextMs()).to.equal(0.05);
    spin.failed(0.5);
    expect(spin.nextMs()).to.equal(0);
  });

  it('counts a late arrival as a failure', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 4; i += 1) {
      spin.nextMs();
      spin.worked(0.06);
    }
    expect(spin.nextMs()).to.equal(0);
  });

  it('takes its own threshold for a quick arrival', () => {
    const spin = new AdaptiveSpin(500, 500);
    for (let i = 0; i < 100; i += 1) {
      expect(spin.nextMs()).to.equal(0.5);
      spin.worked(0.3);
    }
    for (let i = 0; i < 4; i += 1) spin.worked(0.6);
    expect(spin.nextMs()).to.equal(0);
  });

  it('never spins with a budget of 0', () => {
    const spin = new AdaptiveSpin(0);
    for (let i = 0; i < 1_000; i += 1) expect(spin.nextMs()).to.equal(0);
  });
});

describe('reactor thread: spin budget from reply times', () => {
  it('spins twice the typical reply time, within its floor and cap', () => {
    const budget = new LatencyBudget(50, 250);
    expect(budget.nextMs()).to.equal(0.05);
    for (let i = 0; i < 100; i += 1) budget.observed(0.003);
    expect(budget.nextMs()).to.equal(0.05);
    for (let i = 0; i < 100; i += 1) budget.observed(0.045);
    expect(budget.nextMs()).to.be.closeTo(0.09, 0.001);
    for (let i = 0; i < 100; i += 1) budget.observed(5);
    expect(budget.nextMs()).to.equal(0.25);
  });

  it('moves up at once after a long call, and comes back down as replies get quick again', () => {
    const budget = new LatencyBudget(50, 250);
    for (let i = 0; i < 50; i += 1) budget.observed(0.04);
    budget.observed(1_000);
    expect(budget.nextMs()).to.be.within(0.15, 0.25);
    for (let i = 0; i < 40; i += 1) budget.observed(0.04);
    expect(budget.nextMs()).to.be.closeTo(0.08, 0.002);
  });

  it('never exceeds a cap below its floor', () => {
    const budget = new LatencyBudget(50, 20);
    budget.observed(1);
    expect(budget.nextMs()).to.equal(0.02);
    expect(new LatencyBudget(50, 0).nextMs()).to.equal(0);
  });
});

describe('reactor thread: is there a core to spare for spinning', () => {
  /** A CoreCheck on 2 cores whose readings say: `usable` cores over each 100 ms window. */
  function check(usable: () => number): { check: CoreCheck; at: (ms: number) => boolean } {
    let idle = 0;
    let own = 0;
    const read = (): CpuReading => {
      const cores = usable();
      idle += 100 * Math.max(0, cores - 0.5);
      own += 100 * Math.min(cores, 0.5);
      return { idleMs: idle, ownMs: own };
    };
    const coreCheck = new CoreCheck(2, read, 100);
    return { check: coreCheck, at: (ms) => coreCheck.update(ms) };
  }

  it('spares a core while this process could use about two', () => {
    const { check: c, at } = check(() => 1.95);
    for (let t = 100; t <= 2_000; t += 100) expect(at(t)).to.equal(false);
    expect(c.crowded).to.equal(false);
  });

  it('reports crowding within a few windows when another process takes a core, and back', () => {
    let usable = 2;
    const { at } = check(() => usable);
    for (let t = 100; t <= 1_000; t += 100) at(t);
    usable = 1;
    const crowdedAt: boolean[] = [];
    for (let t = 1_100; t <= 1_500; t += 100) crowdedAt.push(at(t));
    expect(crowdedAt.slice(0, 3)).to.include(true);
    expect(crowdedAt.at(-1)).to.equal(true);
    usable = 2;
    const sparedAt: boolean[] = [];
    for (let t = 1_600; t <= 2_000; t += 100) sparedAt.push(at(t));
    expect(sparedAt.at(-1)).to.equal(false);
  });

  it('does not flip on readings inside the hysteresis band', () => {
    let usable = 2;
    const { at } = check(() => usable);
    for (let t = 100; t <= 500; t += 100) at(t);
    usable = 1.38;
    for (let t = 600; t <= 2_000; t += 100) expect(at(t)).to.equal(false);
    usable = 1;
    for (let t = 2_100; t <= 2_600; t += 100) at(t);
    usable = 1.38;
    for (let t = 2_700; t <= 4_000; t += 100) expect(at(t)).to.equal(true);
  });

  it('reads at most once per window', () => {
    let reads = 0;
    const coreCheck = new CoreCheck(
      2,
      () => {
        reads += 1;
        return { idleMs: 0, ownMs: 0 };
      },
      100,
    );
    for (let t = 100; t < 1_100; t += 1) coreCheck.update(t);
    expect(reads).to.equal(10);
  });

  it('never spares a core on a one-core machine, and decides on spin outcomes alone without readings', () => {
    expect(new CoreCheck(1, () => ({ idleMs: 1e9, ownMs: 0 }), 100).update(1_000)).to.equal(true);
    const blind = new CoreCheck(4, () => undefined, 100);
    expect(blind.update(1_000)).to.equal(false);
    expect(blind.update(5_000)).to.equal(false);
  });

  it('reads this machine', () => {
    const coreCheck = new CoreCheck();
    expect(coreCheck.update(performance.now())).to.be.a('boolean');
  });
});

describe('reactor thread: the spin loop', () => {
  it('returns 0 as soon as a poll sees its event', () => {
    let polls = 0;
    expect(spinUntil(() => (polls += 1) === 5, performance.now() + 1_000, 64)).to.equal(0);
    expect(polls).to.equal(5);
  });

  it('reads the clock once every so many polls, and returns the reading that ended it', () => {
    let polls = 0;
    const until = performance.now();
    const gaveUpAt = spinUntil(() => ((polls += 1), false), until, 16);
    expect(gaveUpAt).to.be.at.least(until);
    expect(polls).to.equal(16);
  });

  it('waits for a counter to change, or for its deadline', () => {
    const counters = new Int32Array(2);
    expect(spinUntilChanged(counters, 1, 0, performance.now() + 0.2)).to.equal(false);
    counters[1] = 1;
    expect(spinUntilChanged(counters, 1, 0, performance.now() + 0.2)).to.equal(true);
  });
});
