/**
 * A stand-in for a real quote provider: a local HTTP server whose EUR/USD rate changes every
 * 250 ms. It listens on 127.0.0.1 on a port the system picks, so the sample works offline.
 *
 * Reactor side: plain async code, no crochet here.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const STEP_MS = 250;

export class RateServer {
  readonly #startedAt = performance.now();
  readonly #server = http.createServer((request, response) => {
    if (request.url !== '/rates/EURUSD') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ pair: 'EURUSD', rate: this.#rateNow() }));
  });

  /** Starts listening; resolves to the URL of the EUR/USD quote. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/rates/EURUSD`;
  }

  /** Stops accepting connections and closes the open ones. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) =>
      this.#server.close((error) => (error ? reject(error) : resolve())),
    );
    // Clients keep connections open for reuse (keep-alive); close them rather than wait.
    this.#server.closeAllConnections();
    await closed;
  }

  /** A new rate every STEP_MS: a gentle wave around 1.0850. */
  #rateNow(): number {
    const step = Math.floor((performance.now() - this.#startedAt) / STEP_MS);
    return Number((1.085 + 0.004 * Math.sin(step / 2)).toFixed(4));
  }
}
