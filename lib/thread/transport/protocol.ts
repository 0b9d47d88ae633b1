/**
 * The wire protocol between application threads (callers) and a service host (the reactor
 * thread, or any thread with a free event loop that hosts services).
 *
 * One connection joins one caller thread to one host. Messages travel over a pair of
 * BroadcastChannel instances with a name unique to the connection (so a connection can be opened
 * from any thread by name, with no MessagePort to transfer), and a small SharedArrayBuffer of
 * counters carries the wake-ups (each side also listens on its channel, since a loop turn hands
 * queued messages to listeners only):
 *
 * - `REQUESTS`: bumped by the caller after each message it posts. The host reads it while it
 *   spins after a reply, to take the next request at once without a loop turn.
 * - `REPLIES`: bumped (and notified) by the host after each message it posts. A caller blocks
 *   with `Atomics.wait` on it. It is a counter, never a flag: a caller reads it before draining
 *   its channel, and waits only while it still has that value, so no wake-up is ever lost.
 *
 * The host also owns a host-wide state word (`HostState`), shared with every caller, which says
 * whether the host is alive, stopped or gone; callers check it between wait slices.
 */

/** Slots of a connection's control array (Int32Array over a SharedArrayBuffer). */
export const REQUESTS = 0;
export const REPLIES = 1;
/**
 * Non-zero while the caller sleeps (or is about to sleep) in `Atomics.wait` on REPLIES:
 * `SLEEPING`, or `SLEEPING_WAKE_SOON` when it wants an early wake (REPLY_SOON). Set before each
 * wait, cleared after it. The host notifies only a caller that has it set: a spinning caller
 * needs no futex wake. Safe because all of these atomics are sequentially consistent: either the
 * host's read after bumping REPLIES sees the flag, or the caller's wait, which re-reads REPLIES
 * after setting the flag, sees the new count and returns at once.
 */
export const CALLER_SLEEPING = 2;
/** Values of CALLER_SLEEPING. */
export const SLEEPING = 1;
export const SLEEPING_WAKE_SOON = 2;
/**
 * Bumped (and REPLIES notified, REPLIES itself unchanged) by the host just before it serializes
 * the reply of a blocking call whose caller sleeps: the caller wakes while the reply is being
 * cloned instead of after it, and spins for the little that is left. Only a hint: a lost or late
 * early wake costs the usual wake-up, never a lost reply (REPLIES still counts every message).
 */
export const REPLY_SOON = 3;
export const CONNECTION_SLOTS = 4;

/** Slots of the host-wide state array. */
export const STATE = 0;
/** process.exit code of a thread that exited, when STATE is EXITED. */
export const EXIT_CODE = 1;
/**
 * 1 while the host has gone back to its event loop with nothing to spin for (a hint: it may be
 * stale). A caller about to post a blocking call then posts a `HEADS_UP` first: the host's loop
 * wakes on it while the call is still being cloned, and spins for the call itself.
 */
export const HOST_IDLE = 2;
export const HOST_SLOTS = 4;

/** The heads-up message (see HOST_IDLE): a bare number, the cheapest message to clone. */
export const HEADS_UP = 0;

/** Values of the host-wide STATE slot. */
export const HostState = {
  starting: 0,
  running: 1,
  stopped: 2,
  crashed: 3,
  exited: 4,
} as const;

/** What a caller needs to reach a host from any thread: plain, cloneable data. */
export interface HostAddress {
  /** Unique id of the host (also the prefix of its channel names). */
  readonly id: string;
  /** Human-readable name, used in messages. */
  readonly name: string;
  /** The host-wide state array's buffer. */
  readonly state: SharedArrayBuffer;
}

/** How application code calls one method of a hosted object. */
export interface MethodPlan {
  readonly name: string;
  readonly eventual: boolean;
  /** Caller-side limit in ms; undefined means no limit. */
  readonly timeoutMs: number | undefined;
  /** Declared remote: the result stays in the host, and its facade is planned with these. */
  readonly remote: RemotePlan | undefined;
}

/** How the facade of a result declared remote is planned (plain data: it crosses in handles). */
export interface RemotePlan {
  /** The declared options (`true` became `{ timeoutMs }` of the declaring facade). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Declared with options (checked like `create()`'s), or with `true` (taken as they come). */
  readonly typed: boolean;
}

/** A reference to an object kept in the host, as it crosses threads. */
export interface RemoteRef {
  readonly $crochetRef: number;
  readonly className: string;
  /** Every method of the object (own and inherited), with its decorator metadata. */
  readonly methods: readonly MethodInfo[];
}

/** A method of a hosted object, with what its decorators registered (if anything). */
export interface MethodInfo {
  /** The method's name. */
  readonly name: string;
  /** `'waitFor'` or `'runInReactor'` when the method is decorated so, else undefined. */
  readonly kind: 'waitFor' | 'runInReactor' | undefined;
  /** The `@waitFor(ms)` timeout, else undefined. */
  readonly timeoutMs: number | undefined;
}

/** An exported class of a loaded module. */
export interface ExportInfo {
  /** The export's name (what `create()` takes). */
  readonly name: string;
  /** Its instances' methods (own and inherited), with their decorator metadata. */
  readonly methods: readonly MethodInfo[];
}

/**
 * A call, as it crosses: a flat array `[id, target, method, flags, ...args]` (`flags`:
 * CALL_BLOCKING, CALL_REMOTE, CALL_BUFFERS). The hot path: structured clone
 * of a small array costs about half as much as an object with named keys (measured: 0.8 µs
 * against 1.5 µs to post and receive a two-number call), so calls and their plain results
 * (`OkReply`) are arrays, and every other message is an object with a `k`.
 */
export type CallRequest = [
  id: number,
  target: number,
  method: string,
  flags: number,
  ...args: unknown[],
];

/** `flags` of a call: the caller blocks on it (its output is replayed to the caller). */
export const CALL_BLOCKING = 1;
/** `flags` of a call: its result is declared remote (it stays in the host; a reference crosses). */
export const CALL_REMOTE = 2;
/** `flags` of a call: Buffers are in its arguments, wrapped (buffers.ts). */
export const CALL_BUFFERS = 4;

export function callRequest(
  id: number,
  target: number,
  method: string,
  flags: number,
  args: readonly unknown[],
): CallRequest {
  return [id, target, method, flags, ...args];
}

/** A call's plain (cloned) result: `[id, value]`; `[id, value, 1]` with Buffers wrapped in it. */
export type OkReply = [id: number, value: unknown] | [id: number, value: unknown, buffers: 1];

/** Caller to host. */
export type Request =
  | CallRequest
  | typeof HEADS_UP
  | { readonly k: 'load'; readonly id: number; readonly path: string }
  | {
      readonly k: 'new';
      readonly id: number;
      readonly path: string;
      readonly exportName: string;
      readonly args: unknown[];
      /** The close method for shutdown; false: none; undefined: Symbol.asyncDispose/dispose. */
      readonly dispose: string | false | undefined;
      readonly disposeTimeoutMs: number;
    }
  | { readonly k: 'functions'; readonly id: number; readonly path: string }
  | { readonly k: 'cancel'; readonly id: number; readonly timeoutMs: number | undefined }
  | { readonly k: 'retain'; readonly id: number; readonly target: number }
  | { readonly k: 'release'; readonly target: number }
  | { readonly k: 'bye' };

/** Host to caller. */
export type Reply =
  | OkReply
  | { readonly k: 'welcome' }
  | { readonly k: 'ref'; readonly id: number; readonly ref: RemoteRef }
  | { readonly k: 'err'; readonly id: number; readonly error: unknown }
  | { readonly k: 'out'; readonly fd: 1 | 2; readonly chunk: string | Uint8Array }
  | { readonly k: 'down'; readonly state: number; readonly error: unknown };

/** Sent on a host's hub channel to open a connection. */
export interface ConnectRequest {
  readonly k: 'connect';
  readonly channel: string;
  readonly control: SharedArrayBuffer;
}

/** A new host's address, unique across processes and threads. */
export function newHostAddress(name: string): HostAddress {
  hostCount += 1;
  const unique = `${Date.now().toString(36)}-${hostCount}-${Math.random().toString(36).slice(2, 8)}`;
  return { id: `${process.pid}-${unique}`, name, state: new SharedArrayBuffer(HOST_SLOTS * 4) };
}

let hostCount = 0;

export function hubChannelName(hostId: string): string {
  return `crochet:${hostId}:hub`;
}
