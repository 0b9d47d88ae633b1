/**
 * A DNS server that receives queries and never answers: the offline stand-in for an unreachable
 * or overloaded name server, so the sample can show a lookup running out of time.
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export class SilentDnsServer {
  readonly #socket = dgram.createSocket('udp4');
  #queries = 0;

  constructor() {
    this.#socket.on('message', () => {
      this.#queries += 1;
    });
  }

  /** How many queries arrived (and went unanswered). */
  queryCount(): number {
    return this.#queries;
  }

  /** Binds to 127.0.0.1 on a free port; resolves to `host:port` for `Resolver.setServers()`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(0, '127.0.0.1', resolve);
    });
    const { port } = this.#socket.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.close(resolve));
  }
}
