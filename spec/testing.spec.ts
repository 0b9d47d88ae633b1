/**
 * The two entry points: `crochet` (the public API) and `crochet/testing` (test plumbing), and the
 * testing helpers `resetReactor()` and `pendingCalls()`.
 */
import { expect } from 'chai';
import * as main from '../lib/index';
import { createDecorators, defaultCollaborators, pendingCalls, resetReactor } from '../lib/testing';
import * as testing from '../lib/testing';
import { noSetup, reactor, ReactorController, ReactorStopped, runInReactor, setup } from '../lib';
import { delay } from './helpers/fakes';

describe('entry points', () => {
  it('keep test plumbing out of the main entry', () => {
    for (const name of ['createDecorators', 'createFacadeFactory', 'defaultCollaborators']) {
      expect(main, name).not.to.have.property(name);
      expect(testing, name).to.have.property(name).that.is.a('function');
    }
    expect(main).not.to.have.property('messages');
    expect(testing.messages.noSetupTwice()).to.be.a('string');
    expect(main).not.to.have.property('resetReactor');
    expect(main).not.to.have.property('pendingCalls');
  });
});

describe('resetReactor()', () => {
  afterEach(() => resetReactor());

  it('puts the global reactor back to idle, so that setup() or noSetup() can run again', () => {
    noSetup();
    expect(reactor.state).to.equal('running');
    resetReactor();
    expect(reactor.state).to.equal('idle');
    noSetup();
    expect(reactor.state).to.equal('running');
  });

  it('releases the pending calls of the global reactor with ReactorStopped', () => {
    noSetup();
    const result = runInReactor(() => new Promise<never>(() => undefined))();
    expect(pendingCalls()).to.equal(1);
    resetReactor();
    expect(pendingCalls()).to.equal(0);
    expect(() => result.wait(1_000)).to.throw(ReactorStopped);
  });

  it('removes the process handlers installed by setup()', () => {
    const before = process.listenerCount('SIGINT');
    setup();
    expect(process.listenerCount('SIGINT')).to.equal(before + 1);
    resetReactor();
    expect(process.listenerCount('SIGINT')).to.equal(before);
  });

  it('resets a controller of its own when given one', () => {
    const controller = new ReactorController(defaultCollaborators());
    controller.noSetup();
    resetReactor(controller);
    expect(controller.state).to.equal('idle');
    expect(reactor.state).to.equal('idle');
  });
});

describe('pendingCalls()', () => {
  it('counts the calls of a controller that have not settled', () => {
    const controller = new ReactorController(defaultCollaborators());
    const { waitFor, runInReactor: eventual } = createDecorators(controller);
    controller.noSetup();
    const result = eventual(() => delay(5, 'done'))();
    expect(pendingCalls(controller)).to.equal(1);
    expect(result.wait(1_000)).to.equal('done');
    expect(pendingCalls(controller)).to.equal(0);
    // A blocking call whose body settles at once is never counted.
    expect(waitFor(1_000)(() => 1)()).to.equal(1);
    expect(pendingCalls(controller)).to.equal(0);
  });
});
