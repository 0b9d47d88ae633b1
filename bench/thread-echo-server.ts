/**
 * The echo server of bench/thread-call-cost.ts's I/O-bound row, run in its own process: writes
 * its port on stdout, echoes every chunk back, and exits when its stdin closes (so it never
 * outlives the benchmark).
 */
import * as net from 'node:net';

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (data) => socket.write(data));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
