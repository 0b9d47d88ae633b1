/**
 * Process integration with the real global setup(), in child processes (spec/fixtures/
 * shutdown.ts): SIGINT/SIGTERM while the main code is blocked release it with ReactorStopped,
 * run the shutdown hooks in order and exit with 130/143, whether or not the application catches
 * the error; a normal end runs the hooks and exits 0.
 */
import { expect } from 'chai';
import { messages } from '../../lib/messages';
import { describeRun, runFixture, type ChildOutcome } from '../helpers/child';

/**
 * Runs shutdown.js <mode>, sending `signal` once the child shows that it is blocked (its
 * 'blocked' line comes from a timer that only a blocked caller's pump can run).
 */
function runShutdown(mode: string, signal?: NodeJS.Signals): Promise<ChildOutcome> {
  let sent = false;
  return runFixture('shutdown.js', {
    args: [mode],
    killAfterMs: 10_000,
    onLine: (line, child) => {
      if (signal === undefined || sent || line !== 'blocked') return;
      sent = true;
      child.kill(signal);
    },
  });
}

function hooksIn(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('hook '));
}

describe('process integration (child processes, global setup())', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} while blocked: the call throws ReactorStopped, hooks run in order, exit ${code}`, async () => {
      const outcome = await runShutdown('catch', signal);
      const run = describeRun(outcome);
      expect(outcome.killed, run).to.equal(false);
      expect(outcome.code, run).to.equal(code);
      expect(outcome.lines, run).to.include('caught ReactorStopped');
      expect(outcome.lines, run).to.include(`message ${messages.stoppedWhilePending()}`);
      expect(outcome.lines, run).to.not.include('returned');
      expect(hooksIn(outcome.lines), run).to.deep.equal([
        'hook before',
        'hook during',
        'hook after',
      ]);
      // The blocked caller is released after the 'before' hooks and before the 'during' hooks
      // start, and the program goes on.
      const caught = outcome.lines.indexOf('caught ReactorStopped');
      expect(caught, run).to.be.greaterThan(outcome.lines.indexOf('hook before'));
      expect(caught, run).to.be.lessThan(outcome.lines.indexOf('during starts'));
      expect(outcome.lines, run).to.include('main done');
      expect(outcome.stderr, run).to.equal('');
    });

    it(`${signal} while blocked, the app does not catch: hooks still run, exit ${code}`, async () => {
      const outcome = await runShutdown('uncaught', signal);
      const run = describeRun(outcome);
      expect(outcome.killed, run).to.equal(false);
      expect(outcome.code, run).to.equal(code);
      expect(hooksIn(outcome.lines), run).to.deep.equal([
        'hook before',
        'hook during',
        'hook after',
      ]);
      expect(outcome.lines, run).to.not.include('returned');
      expect(outcome.lines, run).to.not.include('main done');
    });
  }

  it('a normal end of the script runs the hooks and exits 0', async () => {
    const outcome = await runShutdown('normal');
    const run = describeRun(outcome);
    expect(outcome.code, run).to.equal(0);
    expect(outcome.lines, run).to.deep.equal([
      'got quick value',
      'main done',
      'hook before',
      'during starts',
      'hook during',
      'hook after',
    ]);
    expect(outcome.stderr, run).to.equal('');
  });
});
