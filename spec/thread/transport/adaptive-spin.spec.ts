/** The spin-before-sleep budget shared by callers and hosts (lib/thread/adaptive-spin.ts). */
import { expect } from 'chai';
import { AdaptiveSpin } from '../../../lib/thread/transport/adaptive-spin';

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

  it('stops after failures in a row, probes now and then, and resumes when a probe pays', () => {
    const spin = new AdaptiveSpin(50);
    for (let i = 0; i < 4; i += 1) {
      expect(spin.nextMs()).to.equal(0.05);
      spin.failed();
    }
    const budgets: number[] = [];
    for (let i = 0; i < 1_024; i += 1) {
      const budget = spin.nextMs();
      budgets.push(budget);
      if (budget > 0) spin.failed();
    }
    expect(budgets.filter((b) => b > 0)).to.have.length(4);
    // A probe that pays off restores spinning at once.
    let budget = 0;
    while (budget === 0) budget = spin.nextMs();
    spin.worked(0.002);
    expect(spin.nextMs()).to.equal(0.05);
    expect(spin.nextMs()).to.equal(0.05);
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
