/**
 * What a reply settles: a blocking call in flight (BlockingCall), or an eventual call's
 * RemoteOperation (remote/remote-operation.ts).
 *
 * Context: the thread that made the call.
 */
import type { RemoteRef } from '../transport/protocol';

/** Something a reply settles. */
export interface Settleable {
  resolve(value: unknown): void;
  reject(wireError: unknown): void;
  resolveRef(ref: RemoteRef): void;
  /** The host went away: fail with this (already built) error. */
  lose(error: unknown): void;
  readonly settled: boolean;
}

/** One blocking call in flight. */
export class BlockingCall implements Settleable {
  settled = false;
  failed = false;
  value: unknown = undefined;
  wireError: unknown = undefined;
  localError: unknown = undefined;
  ref: RemoteRef | undefined = undefined;
  resolve(value: unknown): void {
    this.settled = true;
    this.value = value;
  }
  reject(wireError: unknown): void {
    this.settled = true;
    this.failed = true;
    this.wireError = wireError;
  }
  resolveRef(ref: RemoteRef): void {
    this.settled = true;
    this.ref = ref;
  }
  lose(error: unknown): void {
    this.settled = true;
    this.failed = true;
    this.localError = error;
  }
}

/** What a reply that is a reference settles when none was declared: a protocol error. */
export function unexpectedRef(ref: RemoteRef): never {
  throw new TypeError(`crochet: unexpected reference to a hosted ${ref.className}`);
}
