/**
 * The reactor side: plain async DNS functions, testable alone with `await`.
 */
import * as dns from 'node:dns/promises';

/** Every address of `hostname`, through the system resolver (getaddrinfo, like most programs). */
export async function addressesOf(hostname: string): Promise<string[]> {
  const found = await dns.lookup(hostname, { all: true });
  return found.map((entry) => `${entry.address} (IPv${entry.family})`);
}

/**
 * The IPv4 addresses of `hostname` according to one DNS server, asked directly. When `signal`
 * aborts, the query is cancelled and the abort reason is what the promise rejects with.
 */
export async function askServer(
  hostname: string,
  server: string,
  signal: AbortSignal,
): Promise<string[]> {
  const resolver = new dns.Resolver({ timeout: 10_000, tries: 1 });
  resolver.setServers([server]);
  const cancel = (): void => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await resolver.resolve4(hostname);
  } catch (error) {
    // resolver.cancel() makes the query fail with ECANCELLED; report the abort itself instead, so
    // that crochet recognises it as the consequence of its own timeout and stays quiet.
    signal.throwIfAborted();
    throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
