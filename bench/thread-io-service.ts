/**
 * The I/O-bound body of bench/thread-call-cost.ts: one round trip on a loopback TCP connection to
 * an echo server in another process (bench/thread-echo-server.ts), so that the body really waits
 * on I/O for tens of microseconds, as a database query on the same machine would. Hosted in the
 * reactor thread by path, and used as it is in the main thread for the plain `await` row.
 */
import * as net from 'node:net';

export class TcpEcho {
  private socket: net.Socket | undefined;
  private waiting: ((length: number) => void) | undefined;

  constructor(private readonly port: number) {}

  /** Connects (Nagle off, as a database client does). */
  async connect(): Promise<true> {
    const socket = net.connect(this.port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (data: Buffer) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(data.length);
    });
    this.socket = socket;
    return true;
  }

  /** Sends a few bytes and resolves with the length of the echo. */
  roundTrip(): Promise<number> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket?.write('ping\n');
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
