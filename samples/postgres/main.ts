/**
 * A PostgreSQL database used from synchronous code: a private server (started for the run,
 * removed at the end), an async service over a node-postgres pool, and a one-line facade that
 * gives synchronous code a blocking API: rows, the server's errors with their SQLSTATE code, and
 * a slow query that times out and is cancelled on the server.
 *
 * Needs the PostgreSQL server programs (`apt-get install postgresql`); no network.
 *
 * Run: npm run sample -- postgres
 */
import { facade, reactor, setup, waitFor } from 'crochet';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { DatabaseError } from 'pg';
import { Inventory } from './inventory';
import { startPrivateServer } from './private-server';

// The blocking layer.
class BlockingInventory extends facade(Inventory, {
  timeoutMs: 5_000,
  timeouts: { slowReport: 300 },
}) {}
const startServer = waitFor(60_000)(startPrivateServer);
const sleep = waitFor(5_000)((ms: number) => delay(ms));
/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
const portAnswers = waitFor(5_000)(
  (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        resolve(true);
        socket.destroy();
      });
      socket.on('error', () => undefined); // the refusal; 'close' says it too
      socket.once('close', () => resolve(false));
    }),
);

function formatError(error: unknown): string {
  if (error instanceof DatabaseError) return `DatabaseError ${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// The application: synchronous code from here on.
setup();

const server = startServer();
console.log(`private server on 127.0.0.1:${server.port} (user ${server.user}, a temporary folder)`);
const stopServer = waitFor(40_000)(() => server.stop());
// Ctrl-C (setup()'s orderly shutdown) stops the server too.
reactor.addShutdownHook('during', () => server.stop(), { name: 'private PostgreSQL server' });

const inventory = new BlockingInventory(new Inventory(server.connectionString));
inventory.setUp();
for (const name of ['apples', 'pears', 'kiwis']) {
  console.log(`${name}: ${inventory.quantity(name) ?? 'not stocked'}`);
}

try {
  inventory.add('apples', 3);
} catch (error) {
  console.log(`add apples again -> ${formatError(error)}`);
}

const started = performance.now();
try {
  console.log(`report: ${inventory.slowReport(10)}`);
} catch (error) {
  const ms = Math.round(performance.now() - started);
  console.log(`10 s report -> after ${ms} ms: ${formatError(error)}`);
}
// The cancel travels on its own connection; give it a moment to land.
let sleeping = inventory.sleepingQueries();
for (let i = 0; i < 50 && sleeping > 0; i += 1) {
  sleep(20);
  sleeping = inventory.sleepingQueries();
}
console.log(`slow queries still running on the server: ${sleeping}`);

inventory.close();
stopServer();
const folder = existsSync(server.dir) ? 'still there' : 'removed';
const port = portAnswers(server.port) ? 'still answers' : 'refuses connections';
console.log(`server stopped: its folder ${folder}, its port ${port}`);
