/**
 * The per-hook limit of shutdown hooks (lib/shutdown-hooks.ts): a hook that finishes close to
 * its limit is allowed to finish; one that outlasts it is reported, and shutdown moves on as
 * soon as the limit has passed. Sharp enough that a limit enforced three times too long, or
 * too short, or once per phase instead of per hook, fails a spec; and it holds on a loaded
 * machine, since what is checked is the order of timer-driven events, not wall time:
 * - a hook that needs 0.6 L sets its timer just after the limit's own L timer was set, so it is
 *   due first, and a loop that runs late runs due timers in that order anyway;
 * - a hook that never finishes is skipped before a plain timer of 2 L, set when it started,
 *   fires (a 3 L limit lets that timer fire first), and not before L has passed.
 */
import { expect } from 'chai';
import { messages } from '../../lib/messages';
import type { ReactorController } from '../../lib/core/reactor';
import type { ShutdownHookOptions } from '../../lib/core/shutdown-hooks';
import { delay, makeReactor } from '../helpers/fakes';
import { LOOP_CLOCK_SLACK_MS } from '../helpers/timing';

/** L, the limit each hook gets. */
const LIMIT_MS = 300;

/** Two ways to give a hook its limit (each starts the reactor); returns the hook options. */
const limitSources: [string, (controller: ReactorController) => ShutdownHookOptions][] = [
  [
    'its own timeoutMs',
    (controller) => {
      controller.noSetup();
      return { timeoutMs: LIMIT_MS };
    },
  ],
  [
    'the setup({ hookTimeoutMs }) default',
    (controller) => {
      controller.setup({ hookTimeoutMs: LIMIT_MS });
      return {};
    },
  ],
];

describe('shutdown hook limits', () => {
  for (const [source, limitFrom] of limitSources) {
    describe(`with the limit from ${source}`, () => {
      it('lets each of two hooks that take 0.6 of the limit finish (the limit is per hook)', async () => {
        const { controller, logger } = makeReactor();
        const options = limitFrom(controller);
        const events: string[] = [];
        for (const name of ['first', 'second']) {
          controller.addShutdownHook(
            'during',
            async () => {
              events.push(`${name} starts`);
              await delay(0.6 * LIMIT_MS, undefined);
              events.push(`${name} finishes`);
            },
            { ...options, name },
          );
        }
        controller.addShutdownHook('after', () => {
          events.push('after hook');
        });
        await controller.stop();
        expect(logger.messages, 'nothing was cut short').to.deep.equal([]);
        expect(events).to.deep.equal([
          'first starts',
          'first finishes',
          'second starts',
          'second finishes',
          'after hook',
        ]);
      });

      it('reports a hook that outlasts the limit, and moves on as soon as the limit has passed', async () => {
        const { controller, logger } = makeReactor();
        const options = limitFrom(controller);
        const events: string[] = [];
        let hookStarted = Number.NaN;
        let movedOnAfter = Number.NaN;
        let twiceTheLimit: Promise<void> = Promise.resolve();
        controller.addShutdownHook(
          'during',
          function neverFinishes() {
            hookStarted = performance.now();
            twiceTheLimit = delay(2 * LIMIT_MS, undefined).then(() => {
              events.push('a plain timer of 2 L fired');
            });
            return new Promise(() => undefined);
          },
          options,
        );
        controller.addShutdownHook(
          'during',
          () => {
            movedOnAfter = performance.now() - hookStarted;
            events.push('next hook');
          },
          options,
        );
        controller.addShutdownHook('after', () => {
          events.push('after hook');
        });
        await controller.stop();
        await twiceTheLimit;
        const when = `moved on ${movedOnAfter.toFixed(1)} ms after the hook started (L = ${LIMIT_MS} ms)`;
        expect(logger.messages, when).to.deep.equal([
          messages.hookTimedOut('neverFinishes', 'during', LIMIT_MS),
        ]);
        expect(events, when).to.deep.equal([
          'next hook',
          'after hook',
          'a plain timer of 2 L fired',
        ]);
        expect(movedOnAfter, when).to.be.at.least(LIMIT_MS - LOOP_CLOCK_SLACK_MS);
      });
    });
  }
});
