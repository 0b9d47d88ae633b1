/**
 * This thread's connections, one per host: opened on first use (and reopened after a close), so
 * that every facade of objects in one host shares one channel and one set of counters.
 *
 * Context: per thread (each thread that loads crochet has its own).
 */
import { DeadlockError } from '../../errors';
import { messages } from '../../messages';
import type { HostAddress } from '../transport/protocol';
import { hostedHere } from '../transport/local-hosts';
import { Connection } from './connection';

const openConnections = new Map<string, Connection>();

/** This thread's connection to a host, opened on first use (and reopened if it was closed). */
export function connectionTo(address: HostAddress, timeoutMs = 10_000): Connection {
  if (hostedHere.has(address.id)) {
    throw new DeadlockError(messages.threadSelfCall('attach()', address.name), 'host-thread');
  }
  const existing = openConnections.get(address.id);
  if (existing !== undefined && existing.up) return existing;
  const connection = Connection.open(address, timeoutMs);
  openConnections.set(address.id, connection);
  return connection;
}

/** Registers a connection made another way (the spawning thread's first connection). */
export function adoptConnection(connection: Connection): void {
  openConnections.set(connection.address.id, connection);
}
