/**
 * A local file server for the sample: `GET /files/<name>?bytes=N&delayMs=M` answers with N bytes
 * after M ms, so each download can be made fast, slow or very slow. Listens on 127.0.0.1 on a
 * port the system picks.
 *
 * Reactor side: plain async code.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FileServer {
  readonly #server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/files/')) {
      response.writeHead(404).end();
      return;
    }
    const bytes = Number(url.searchParams.get('bytes') ?? 1024);
    const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
    const timer = setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.alloc(bytes, url.pathname));
    }, delayMs);
    // A client that gives up (a cancelled download) closes the connection: stop working for it.
    response.on('close', () => {
      clearTimeout(timer);
      if (!response.writableFinished) this.#abandoned.push(url.pathname);
    });
  });
  readonly #abandoned: string[] = [];

  /** Starts listening; resolves to the server's base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The paths whose client hung up before the answer was sent. */
  abandoned(): string[] {
    return [...this.#abandoned];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) =>
      this.#server.close((error) => (error ? reject(error) : resolve())),
    );
    // Clients keep connections open for reuse (keep-alive); close them rather than wait.
    this.#server.closeAllConnections();
    await closed;
  }
}
