/**
 * Shutdown hooks (lib/shutdown-hooks.ts, driven by ReactorController.stop()): phase order, the
 * point where pending calls fail, and hooks that throw or never finish.
 */
import { expect } from 'chai';
import { ReactorStopped } from '../../lib/errors';
import { messages } from '../../lib/messages';
import { delay, makeReactor, runningReactor, turns } from '../helpers/fakes';

describe('shutdown hooks', () => {
  it('run before → (pending calls fail) → during → after, each phase in the order added', async () => {
    const { controller, runInReactor } = runningReactor();
    const events: string[] = [];
    const pending = runInReactor(function pendingCall() {
      return new Promise(() => undefined);
    })();
    await turns(1);
    const state = (): string =>
      pending.originalError() instanceof ReactorStopped ? 'failed' : 'pending';
    controller.addShutdownHook('after', () => {
      events.push(`after 1 (call ${state()})`);
    });
    controller.addShutdownHook('during', async () => {
      await delay(10, undefined);
      events.push(`during 1 (call ${state()})`);
    });
    controller.addShutdownHook('before', async () => {
      await delay(10, undefined);
      events.push(`before 1 (call ${state()})`);
    });
    controller.addShutdownHook('before', () => {
      events.push(`before 2 (call ${state()}, ${controller.pendingCount} pending)`);
    });
    controller.addShutdownHook('during', () => {
      events.push(`during 2 (call ${state()}, ${controller.pendingCount} pending)`);
    });
    controller.addShutdownHook('after', () => {
      events.push(`after 2 (state ${controller.state})`);
    });
    await controller.stop();
    expect(events).to.deep.equal([
      'before 1 (call pending)',
      'before 2 (call pending, 1 pending)',
      'during 1 (call failed)',
      'during 2 (call failed, 0 pending)',
      'after 1 (call failed)',
      'after 2 (state stopping)',
    ]);
    expect(controller.state).to.equal('stopped');
  });

  it('a hook that throws (or rejects) is reported and the others still run', async () => {
    const { controller, logger } = runningReactor();
    const events: string[] = [];
    const thrown = new Error('sync failure');
    const rejected = new Error('async failure');
    controller.addShutdownHook('before', function closeThings() {
      throw thrown;
    });
    controller.addShutdownHook('before', () => {
      events.push('before ran');
    });
    controller.addShutdownHook('during', () => Promise.reject(rejected), { name: 'pool' });
    controller.addShutdownHook('during', () => {
      events.push('during ran');
    });
    controller.addShutdownHook('after', () => {
      events.push('after ran');
    });
    await controller.stop();
    expect(events).to.deep.equal(['before ran', 'during ran', 'after ran']);
    expect(logger.entries).to.deep.equal([
      { message: messages.hookFailed('closeThings', 'before'), error: thrown },
      { message: messages.hookFailed('pool', 'during'), error: rejected },
    ]);
  });

  it('a hook that never finishes is reported by name after its timeoutMs and skipped', async () => {
    const { controller, logger } = runningReactor();
    const events: string[] = [];
    controller.addShutdownHook('during', () => new Promise(() => undefined), {
      name: 'join-pool',
      timeoutMs: 50,
    });
    controller.addShutdownHook('during', () => {
      events.push('next during hook');
    });
    controller.addShutdownHook('after', () => {
      events.push('after hook');
    });
    const start = performance.now();
    await controller.stop();
    const elapsed = performance.now() - start;
    expect(events).to.deep.equal(['next during hook', 'after hook']);
    expect(logger.messages).to.deep.equal([messages.hookTimedOut('join-pool', 'during', 50)]);
    expect(elapsed).to.be.at.least(45).and.below(1000);
  });

  it('uses the setup({ hookTimeoutMs }) limit for hooks without their own', async () => {
    const { controller, logger } = makeReactor();
    controller.setup({ hookTimeoutMs: 30 });
    controller.addShutdownHook('before', function hangs() {
      return new Promise(() => undefined);
    });
    await controller.stop();
    expect(logger.messages).to.deep.equal([messages.hookTimedOut('hangs', 'before', 30)]);
  });

  it('a removed hook does not run', async () => {
    const { controller } = runningReactor();
    let runs = 0;
    const remove = controller.addShutdownHook('during', () => {
      runs += 1;
    });
    remove();
    await controller.stop();
    expect(runs).to.equal(0);
  });

  it('rejects an unknown phase with a message', () => {
    const { controller } = runningReactor();
    expect(() =>
      controller.addShutdownHook('later' as unknown as 'after', () => undefined),
    ).to.throw(TypeError, messages.badHookPhase('later'));
  });
});
