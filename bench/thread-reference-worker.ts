/**
 * The hand-written reference of bench/thread-call-cost.ts: the least code that blocks on a worker
 * with Atomics.wait. The caller posts on a MessagePort, bumps a counter and sleeps on it; this
 * worker answers from its event loop, bumps the reply counter and notifies. No spinning, no ids,
 * no errors, no timeouts: the floor of the plain approach.
 */
import { workerData, type MessagePort } from 'node:worker_threads';

const { port, control } = workerData as { port: MessagePort; control: SharedArrayBuffer };
const counters = new Int32Array(control);
port.on('message', (message: { a: number; b: number }) => {
  port.postMessage(message.a + message.b);
  Atomics.add(counters, 1, 1);
  Atomics.notify(counters, 1);
});
