/**
 * Blocking hostname lookups with a timeout: async DNS functions wrapped with `waitFor(ms)(fn)`,
 * called from plain synchronous code. Each call either returns the addresses or throws: the
 * resolver's own error (ENOTFOUND for a name that does not exist) or crochet's TimeoutError.
 *
 * Run: npm run sample -- blocking-dns
 */
import { currentSignal, facade, setup, waitFor } from 'crochet';
import { addressesOf, askServer } from './lookups';
import { SilentDnsServer } from './silent-dns-server';

// The blocking layer: one line per function. The timeout is part of the wrapper.
const gethostbyname = waitFor(2_000)(addressesOf);
const askWithin500ms = waitFor(500)(function askWithin500ms(hostname: string, server: string) {
  // currentSignal() aborts when the 500 ms run out: the query is cancelled, not left running.
  return askServer(hostname, server, currentSignal());
});
class LocalDnsServer extends facade(SilentDnsServer, { timeoutMs: 1_000 }) {}

function formatError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return `${error.name}${code === undefined ? '' : ` (code ${code})`}: ${error.message}`;
}

function show(label: string, lookup: () => string[]): void {
  const started = performance.now();
  try {
    const addresses = lookup();
    const ms = Math.round(performance.now() - started);
    console.log(`${label} -> ${addresses.join(', ')} (${ms} ms)`);
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    console.log(`${label} -> error after ${ms} ms: ${formatError(error)}`);
  }
}

// The application: synchronous code.
setup();

show('localhost', () => gethostbyname('localhost'));
show('no-such-host.invalid', () => gethostbyname('no-such-host.invalid'));

const silent = new LocalDnsServer(new SilentDnsServer());
const server = silent.listen();
show(`example.com via silent server ${server}`, () => askWithin500ms('example.com', server));
console.log(`the silent server got ${silent.queryCount()} query and never answered`);
silent.close();
