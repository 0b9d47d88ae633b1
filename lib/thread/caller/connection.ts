/**
 * The caller side of a connection to a service host: sending requests, and blocking until their
 * replies with `Atomics.wait` (never by pumping the caller's own event loop, so it works in every
 * context: CommonJS or ES-module top level, promise callbacks, after `await`, timer and I/O
 * callbacks, worker threads).
 *
 * Blocking, step by step:
 * 1. read the REPLIES counter, 2. drain the channel with `receiveMessageOnPort` (replies are
 * matched to pending calls by id; stale replies of abandoned calls are dropped), 3. if the call
 * is settled, return; 4. if the host is down, fail every pending call; 5. spin on the counter
 * (for about twice as long as replies have been taking, at most `spinMicros`, and only while the
 * machine has a core to spare: adaptive-spin.ts), then `Atomics.wait` on it while it still holds
 * the value read in step 1, in slices of at most SLICE_MS (so a host that died without telling
 * anyone, and a stop() signalled only through the shared state, are noticed within a slice).
 * The waiting itself is reply-wait.ts, and what each message does is reply-dispatch.ts; this
 * module opens, sends, drains and closes.
 *
 * Context: the thread that opened the connection (connections are per thread).
 */
import {
  BroadcastChannel,
  receiveMessageOnPort,
  threadId,
  type MessagePort,
} from 'node:worker_threads';
import { DeadlockError, ReactorStopped, ReactorThreadError, timedOut } from '../../errors';
import { messages } from '../../messages';
import {
  CALL_BLOCKING,
  CONNECTION_SLOTS,
  EXIT_CODE,
  HEADS_UP,
  HOST_IDLE,
  HostState,
  REPLIES,
  REQUESTS,
  STATE,
  hubChannelName,
  type ConnectRequest,
  type HostAddress,
  type RemoteRef,
  type Reply,
  type Request,
} from '../transport/protocol';
import { decodeThrown, explainUncloneable } from '../transport/wire';
import { hostedHere } from '../transport/local-hosts';
import { coreCheck } from '../transport/adaptive-spin';
import { BlockingCall, unexpectedRef, type Settleable } from './pending-call';
import { ReplyDispatch } from './reply-dispatch';
import { DEFAULT_CALLER_SPIN_US, ReplyWait, type ReplySource } from './reply-wait';
import { PROBE_MS, UNKNOWN_EXIT_CODE, markIfDied, workerOnline } from './worker-liveness';

let connectionCount = 0;

export class Connection implements ReplySource {
  readonly control: Int32Array;
  readonly hostState: Int32Array;
  private readonly channel: BroadcastChannel;
  /** The calls waiting for replies, and what each message does. */
  private readonly replies = new ReplyDispatch((request) => this.sendQuietly(request));
  private closed = false;
  private nextProbe = 0;
  /** Messages taken from the channel so far (compared with the REPLIES counter). */
  private consumed = 0;
  /** How this side waits for replies (spin, then Atomics.wait). */
  private readonly waiter: ReplyWait;

  private constructor(
    readonly address: HostAddress,
    channelName: string,
    control: SharedArrayBuffer,
    spinMicros: number,
  ) {
    this.control = new Int32Array(control);
    this.waiter = new ReplyWait(this.control, spinMicros);
    this.hostState = new Int32Array(address.state);
    this.channel = new BroadcastChannel(channelName);
    // A BroadcastChannel hands its queued messages to the event loop whenever this thread's loop
    // turns (a signal check, a caller that is itself a loop callback, a wait() long after the
    // call), and a message handed to the loop is gone for receiveMessageOnPort(). So this side
    // is a listener too: whichever of the two takes a message, it is dispatched exactly once, in
    // order. Unref'd: an open connection never keeps the thread alive.
    this.channel.onmessage = (event) => this.take((event as { data: unknown }).data as Reply);
    this.channel.unref();
  }

  /**
   * A new connection's two halves: this side, and the request that makes the host open the
   * other (sent on the host's hub channel, or passed to a new worker directly).
   */
  static create(
    address: HostAddress,
    spinMicros = DEFAULT_CALLER_SPIN_US,
  ): [Connection, ConnectRequest] {
    connectionCount += 1;
    const name = `crochet:${address.id}:c${threadId}.${connectionCount}.${Math.random().toString(36).slice(2, 8)}`;
    const control = new SharedArrayBuffer(CONNECTION_SLOTS * 4);
    return [
      new Connection(address, name, control, spinMicros),
      { k: 'connect', channel: name, control },
    ];
  }

  /** Opens a connection from this thread to a running host, blocking until it answers. */
  static open(address: HostAddress, timeoutMs: number, spinMicros?: number): Connection {
    const [connection, request] = Connection.create(address, spinMicros);
    connection.ensureUp('connect');
    const hub = new BroadcastChannel(hubChannelName(address.id));
    try {
      hub.postMessage(request);
    } finally {
      hub.close();
    }
    connection.awaitWelcome(timeoutMs, address.name);
    return connection;
  }

  /** Blocks until the host has opened its side; a start-failed error after `timeoutMs`. */
  awaitWelcome(timeoutMs: number, name: string): void {
    const outcome = this.block(() => this.replies.welcomed, timeoutMs);
    if (outcome === 'timeout') {
      throw new ReactorThreadError(messages.threadStartFailed(name, timeoutMs), 'start-failed');
    }
    workerOnline(this.address.id);
  }

  /** Whether the host is still running. */
  get up(): boolean {
    return Atomics.load(this.hostState, STATE) <= HostState.running && !this.closed;
  }

  /**
   * Sends a request and blocks until its reply. Returns the value, or what `onRef` makes of a
   * reference (a remote facade); throws the rebuilt error, a TimeoutError (after telling the
   * host to abort the call), or the host-down error.
   */
  request(
    build: (id: number) => Request,
    args: readonly unknown[],
    timeoutMs: number | undefined,
    what: string,
    onRef: (ref: RemoteRef) => unknown = unexpectedRef,
  ): unknown {
    this.ensureUp(what);
    if (hostedHere.has(this.address.id)) {
      throw new DeadlockError(messages.threadSelfCall(what, this.address.name), 'host-thread');
    }
    const id = this.replies.newId();
    const call = new BlockingCall();
    this.replies.expect(id, call);
    this.send(build(id), args, what, id);
    const outcome = this.block(() => call.settled, timeoutMs ?? Infinity);
    this.replies.forget(id);
    if (outcome === 'timeout') {
      const ms = timeoutMs ?? 0;
      this.sendQuietly({ k: 'cancel', id, timeoutMs: ms });
      throw timedOut(ms, what);
    }
    if (call.ref !== undefined) return onRef(call.ref);
    if (!call.failed) return call.value;
    if (call.localError !== undefined) throw call.localError;
    // Made here so that the rebuilt error's stack shows the caller's frames.
    throw decodeThrown(call.wireError, new Error().stack);
  }

  /** Sends a call whose outcome settles `target` later (an eventual call). */
  requestLater(
    build: (id: number) => Request,
    args: readonly unknown[],
    what: string,
    target: (id: number) => Settleable,
  ): void {
    this.ensureUp(what);
    const id = this.replies.newId();
    this.replies.expect(id, target(id));
    this.send(build(id), args, what, id);
  }

  /** Blocks until `done()` or the timeout; used by EventualResult.wait() on remote results. */
  block(done: () => boolean, timeoutMs: number): 'settled' | 'timeout' {
    return this.waiter.wait(this, done, timeoutMs);
  }

  /** Stops waiting for the reply to call `id` (a later reply is dropped as stale). */
  forget(id: number): void {
    this.replies.forget(id);
  }

  /** Sends without blocking and without throwing (cancel, release, bye). */
  sendQuietly(request: Request): void {
    if (this.closed) return;
    try {
      this.channel.postMessage(request);
      Atomics.add(this.control, REQUESTS, 1);
    } catch {
      // The host is gone; there is nobody left to tell.
    }
  }

  /** Takes every message that has arrived and dispatches it. Never blocks. */
  drain(): void {
    // The host bumps REPLIES after each message it posts, so only that many can be waiting:
    // no receiveMessageOnPort call is wasted on an empty channel in the common case.
    // The listener may have taken a message before its bump: `consumed` can run ahead.
    const available = Atomics.load(this.control, REPLIES);
    while (!this.closed && this.consumed < available) {
      const received = receiveMessageOnPort(this.channel as unknown as MessagePort);
      // A bump without a message: the host woke everyone as it went down.
      if (received === undefined) {
        this.consumed = available;
        return;
      }
      this.take(received.message as Reply);
    }
  }

  /** One message from the host, taken by polling or by the listener. */
  private take(reply: Reply): void {
    this.consumed += 1;
    this.replies.dispatch(reply);
  }

  /** Closes this side; pending calls fail as stopped. */
  close(): void {
    if (this.closed) return;
    this.sendQuietly({ k: 'bye' });
    this.closed = true;
    this.replies.failAll(new ReactorStopped(messages.threadStopped(this.address.name)));
    this.channel.close();
  }

  private send(request: Request, args: readonly unknown[], what: string, id: number): void {
    if (
      Array.isArray(request) &&
      (request[3] & CALL_BLOCKING) !== 0 &&
      !coreCheck.crowded &&
      Atomics.load(this.hostState, HOST_IDLE) === 1
    ) {
      // The host sleeps in its loop: wake it now, while the call is being cloned.
      this.channel.postMessage(HEADS_UP);
      Atomics.add(this.control, REQUESTS, 1);
    }
    try {
      this.channel.postMessage(request);
    } catch (error) {
      this.replies.forget(id);
      explainUncloneable(args, what, error);
    }
    Atomics.add(this.control, REQUESTS, 1);
  }

  private ensureUp(what: string): void {
    if (!this.up) throw this.downError(what);
  }

  /** ReplySource: the host is down; every pending call fails with the reason. */
  hostDown(): void {
    this.drain();
    this.replies.failAll(this.downError('the call'));
  }

  /** ReplySource: a signal's shutdown stopped the reactor while this thread waited. */
  stopSeen(): void {
    this.replies.failAll(new ReactorStopped(messages.stoppedWhilePending()));
  }

  /** ReplySource: at most every PROBE_MS, whether the host's worker died without telling. */
  probe(now: number): boolean {
    if (now < this.nextProbe) return false;
    this.nextProbe = now + PROBE_MS;
    return markIfDied(this.address);
  }

  /** The error for a call on a host that is not running. */
  downError(what: string): Error {
    const state = Atomics.load(this.hostState, STATE);
    const name = this.address.name;
    if (this.closed || state === HostState.stopped || state === HostState.starting) {
      // `what` names a request other than a call ('load', 'connect'): the generic one says nothing.
      const about = what === 'the call' ? '' : ` (${what})`;
      return new ReactorStopped(`${messages.threadStopped(name)}${about}`);
    }
    if (state === HostState.crashed) {
      return new ReactorThreadError(messages.threadCrashed(name), 'crashed', {
        cause: this.replies.downCause,
      });
    }
    const code = Atomics.load(this.hostState, EXIT_CODE);
    const known = code === UNKNOWN_EXIT_CODE ? undefined : code;
    return new ReactorThreadError(messages.threadExited(name, known), 'exited');
  }
}
