/**
 * "Preventing deadlocks on shutdown": the order in which a shutdown releases blocked callers and
 * closes pools, printed step by step.
 *
 * - The main program holds a pooled connection and blocks on `jobs.next()` (60 s timeout). It
 *   also started a background `alerts.next()` (an EventualResult) that nobody will answer.
 * - A timer calls `reactor.stop()`:
 *   1. 'before' hook: closes the jobs inbox, so the blocked caller gets a clean answer (end of
 *      stream) and can give its connection back;
 *   2. crochet fails every call still pending with ReactorStopped (the background alert);
 *   3. 'during' hook: closes the pool, which waits until every connection has been given back;
 *   4. 'after' hook.
 * - A call made after stop() gets ReactorStopped at once.
 *
 * Had the pool been closed before the callers were released, `close()` would wait for a
 * connection held by a caller that is itself waiting: nothing would move until the hook's time
 * limit. Release first (a 'before' hook), close pools later ('during').
 *
 * Run: npm run sample -- shutdown
 */
import { facade, reactor, ReactorStopped, setup } from 'crochet';
import { Inbox } from './inbox';
import { ConnectionPool } from './pool';

// Application code only reads from inboxes; posting and closing stay on the reactor side.
class BlockingInbox extends facade(Inbox, { timeoutMs: 60_000, exclude: ['post', 'close'] }) {}
class BackgroundInbox extends facade(Inbox, {
  timeoutMs: 60_000,
  eventual: ['next'],
  exclude: ['post', 'close'],
}) {}

const startedAt = performance.now();
function log(message: string): void {
  console.log(`[${String(Math.round(performance.now() - startedAt)).padStart(4)} ms] ${message}`);
}

function formatError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

setup();

const jobs = new Inbox('jobs');
const alerts = new Inbox('alerts');
const pool = new ConnectionPool();

reactor.addShutdownHook('before', () => {
  const released = jobs.close();
  log(`before hook: closed the jobs inbox, releasing ${released} waiting caller(s)`);
});
reactor.addShutdownHook('during', async () => {
  log(`during hook: closing the pool (${pool.inUse} connection(s) still in use)...`);
  await pool.close();
  log('during hook: pool closed');
});
reactor.addShutdownHook('after', () => log('after hook: shutdown complete'));

setTimeout(() => {
  log('timer: calling reactor.stop()');
  void reactor.stop().then(() => log(`reactor.stop() resolved; state: ${reactor.state}`));
}, 300);

const alert = new BackgroundInbox(alerts).next();
log('main: started alerts.next() in the background; nobody will ever post an alert');

const connection = pool.acquire();
log(`main: acquired connection #${connection.id}; blocking on jobs.next()`);
try {
  const job = new BlockingInbox(jobs).next();
  log(`main: jobs.next() returned ${String(job)}: the inbox was closed, no more jobs`);
} catch (error) {
  log(`main: jobs.next() threw ${formatError(error)}`);
} finally {
  pool.release(connection);
  log(`main: released connection #${connection.id}`);
}

try {
  alert.wait(1_000);
} catch (error) {
  log(`main: the background alerts.next() failed with ${formatError(error)}`);
}

try {
  new BlockingInbox(jobs).next();
} catch (error) {
  if (!(error instanceof ReactorStopped)) throw error;
  log(`main: a call after stop() throws at once: ${formatError(error)}`);
}
