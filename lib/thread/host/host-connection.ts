/**
 * The host's side of one connection: the channel it replies on and the counters it bumps (see
 * protocol.ts for what each slot means).
 *
 * Context: the host's thread.
 */
import { BroadcastChannel } from 'node:worker_threads';
import {
  CALLER_SLEEPING,
  REPLIES,
  REPLY_SOON,
  SLEEPING_WAKE_SOON,
  type Reply,
} from '../transport/protocol';

export class HostConnection {
  /** Requests taken so far (compared with the caller's REQUESTS counter). */
  handled = 0;
  readonly control: Int32Array;
  readonly channel: BroadcastChannel;
  constructor(name: string, control: SharedArrayBuffer) {
    this.control = new Int32Array(control);
    this.channel = new BroadcastChannel(name);
  }

  /** The caller said goodbye, or the host closed: replies have nobody to go to. */
  closed = false;

  /** Sends a reply; nothing once closed (a call that ends after its caller left). */
  post(reply: Reply): void {
    if (this.closed) return;
    this.channel.postMessage(reply);
    Atomics.add(this.control, REPLIES, 1);
    // Only a caller that sleeps needs the futex wake (see CALLER_SLEEPING for why none is lost).
    if (Atomics.load(this.control, CALLER_SLEEPING) !== 0) Atomics.notify(this.control, REPLIES);
  }

  /**
   * Whether the caller was asleep when this thread last replied to a blocking call (read by
   * HostSpin: such a caller calls again only after its wake-up, so a spin for that call that runs
   * out says less about spinning).
   */
  static callerAsleep = false;

  /** The reply to a blocking call follows: wake a sleeping caller now (see REPLY_SOON). */
  soon(): void {
    const sleeping = Atomics.load(this.control, CALLER_SLEEPING);
    HostConnection.callerAsleep = sleeping !== 0;
    if (sleeping !== SLEEPING_WAKE_SOON) return;
    Atomics.add(this.control, REPLY_SOON, 1);
    Atomics.notify(this.control, REPLIES);
  }

  /** Wakes the caller without a message (the host is going down; it reads the state). */
  wake(): void {
    Atomics.add(this.control, REPLIES, 1);
    Atomics.notify(this.control, REPLIES);
  }

  close(): void {
    this.closed = true;
    try {
      this.channel.close();
    } catch {
      // Already closed.
    }
  }
}
