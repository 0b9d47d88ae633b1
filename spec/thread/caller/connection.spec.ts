/**
 * The caller side of a connection (lib/thread/caller/connection.ts), driven directly: a blocking call on
 * a host that runs on the caller's own thread is refused at once (it could never be served while
 * the thread blocks), whatever way the connection was opened.
 */
import { expect } from 'chai';
import { DeadlockError } from '../../../lib/errors';
import { messages } from '../../../lib/messages';
import { Connection } from '../../../lib/thread/caller/connection';
import { ServiceHost } from '../../../lib/thread/host/host';
import { CALL_BLOCKING, callRequest } from '../../../lib/thread/transport/protocol';

describe('reactor thread: a connection to a host on the same thread', () => {
  it('refuses a blocking call through it at once with DeadlockError host-thread', () => {
    const host = new ServiceHost({ name: 'spec-same-thread', report: () => undefined });
    try {
      const ref = host.expose({
        async ping(): Promise<string> {
          return 'pong';
        },
      });
      const [connection, request] = Connection.create(host.address, 0);
      host.accept(request);
      connection.drain();
      const started = performance.now();
      let error: unknown;
      try {
        connection.request(
          (id) => callRequest(id, ref.$crochetRef, 'ping', CALL_BLOCKING, []),
          [],
          1_000,
          'ping()',
        );
      } catch (thrown) {
        error = thrown;
      }
      expect(error).to.be.instanceOf(DeadlockError);
      expect((error as DeadlockError).reason).to.equal('host-thread');
      expect((error as Error).message).to.equal(
        messages.threadSelfCall('ping()', 'spec-same-thread'),
      );
      expect(performance.now() - started).to.be.below(500);
      connection.close();
    } finally {
      host.stop();
    }
  });
});
