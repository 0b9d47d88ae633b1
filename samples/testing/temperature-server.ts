/**
 * Test support: a local temperature web service on 127.0.0.1 and a port the system picks.
 * `GET /temperature/<city>` answers `{ "celsius": n }`, or 404 for a city it does not know.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startTemperatureServer(
  temperatures: Readonly<Record<string, number>>,
): Promise<RunningServer> {
  const server = http.createServer((request, response) => {
    const match = /^\/temperature\/([^/]+)$/.exec(request.url ?? '');
    const city = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const celsius = city === undefined ? undefined : temperatures[city];
    if (celsius === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ celsius }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
