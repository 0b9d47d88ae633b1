/**
 * The wake-up protocol (protocol.ts): counters, never flags, so no reply is ever lost, whether
 * the caller spins, sleeps, or is woken early (REPLY_SOON) while the host clones its reply, and
 * whether the host spins for the next call or is woken early by a heads-up (HOST_IDLE). With
 * spinning on, calls whose spins do not pay (the payloads) go through both early wakes; with
 * spinning off (which turns the early-wake spins off too), every call sleeps.
 */
import { expect } from 'chai';
import { ReactorThread, type Blocking } from '../../../lib';
import type { EchoService } from '../fixtures/echo-service';
import type * as EchoModule from '../fixtures/echo-service';
import { fixture } from '../helpers';

for (const spinning of [false, true]) {
  describe(`reactor thread: wake-ups, spinning ${spinning ? 'on' : 'off'}`, () => {
    let thread: ReactorThread;
    let echo: Blocking<EchoService>;

    before(() => {
      thread = new ReactorThread({
        name: `spec-wake-${spinning ? 'spin' : 'sleep'}`,
        ...(spinning ? {} : { spinMicros: { caller: 0, host: 0 } }),
      });
      echo = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', [], { timeoutMs: 5_000 });
    });

    after(() => thread.stop());

    it('back-to-back calls never lose a wake-up (each gets its own reply)', () => {
      for (let i = 0; i < 3_000; i += 1) expect(echo.add(i, 1)).to.equal(i + 1);
    });

    it('payloads of every size, alternating, each come back whole', () => {
      const small = { n: 1 };
      const medium = 'm'.repeat(100_000);
      const objects = Array.from({ length: 1_000 }, (_, i) => ({ id: i }));
      for (let i = 0; i < 60; i += 1) {
        expect(echo.echo(small)).to.deep.equal(small);
        expect(echo.echo(medium)).to.equal(medium);
        expect(echo.echo(objects)).to.deep.equal(objects);
        expect(echo.add(i, i)).to.equal(2 * i);
      }
    });

    it('a reply that takes longer to clone than the early-wake spin still arrives', () => {
      // Tens of MB: cloning takes longer than SOON_SPIN_US and HEADS_UP_SPIN_US, so the early-woken
      // caller sleeps again, and the host gets the call from its loop after all.
      const huge = Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `item ${i}` }));
      for (let i = 0; i < 3; i += 1) expect(echo.echo(huge)).to.have.length(200_000);
      expect(echo.add(2, 3)).to.equal(5);
    });

    it('calls that sleep in the thread wake their caller', () => {
      for (let i = 0; i < 5; i += 1) expect(echo.sleep(5 + i)).to.equal(5 + i);
    });
  });
}
