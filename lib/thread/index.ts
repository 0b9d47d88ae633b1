/**
 * Reactor threads: services hosted on their own event-loop thread, called with blocking facades
 * from any context and any thread.
 *
 * ## Model
 * The seed's two kinds of threads, for real: application threads block; a reactor thread (a
 * `worker_threads` Worker) runs the async code. A *service* is a class exported from a module,
 * constructed in the reactor thread with arguments from the caller:
 *
 * ```ts
 * const rates = reactorThread
 *   .load<typeof import('./rates-service')>(require.resolve('./rates-service'))
 *   .create('RatesService', [url], { timeoutMs: 1_000, eventual: ['start'] });
 * rates.start();              // EventualResult<void>
 * rates.latestValue();        // number | undefined, blocking
 * ```
 *
 * The facade is typed `Blocking<RatesService, 'start'>` (lib/blocking-types.ts). Decorator
 * metadata on the service class is honoured: `@waitFor(ms)` gives the method its timeout,
 * `@runInReactor` makes it eventual; the reactor thread runs the undecorated original.
 *
 * ## Transport (protocol.ts, connection.ts, host.ts)
 * One connection per (caller thread, host): a BroadcastChannel pair with a name unique to the
 * connection (opened by name from any thread, so handles are plain cloneable data), plus an
 * Int32Array of two counters in a SharedArrayBuffer. The caller posts a request, bumps REQUESTS;
 * the host posts the reply, bumps REPLIES and notifies. The caller blocks on REPLIES with
 * `Atomics.wait` (counter, never flag: it reads the counter before draining, waits only while it
 * still has that value), drains with `receiveMessageOnPort`, and matches replies by call id;
 * replies of abandoned calls (timeouts) are dropped. It never runs the caller's event loop (see
 * signals.ts for the one exception), so it works in every context. Messages are structured
 * clones; `v8.serialize` into shared memory was measured too and lost (5 µs against 1.4 µs per
 * small message, and slower for large strings), so payloads travel as channel messages.
 *
 * ## Spin budget
 * Waking a sleeping thread costs tens of microseconds (futex + scheduler; the event loop's
 * uv_async on the host side). Both sides therefore spin briefly before sleeping:
 * - the caller polls REPLIES for up to 50 µs (`spinMicros.caller`) before `Atomics.wait`;
 * - the host, right after replying to a blocking call, polls every connection's REQUESTS for up
 *   to 50 µs (`spinMicros.host`) and takes a request that arrives with `receiveMessageOnPort`,
 *   without a loop turn. A burst never holds the host's loop more than 2 ms.
 * Cost: at most 50 µs of CPU per blocking call on each side, only around calls; an idle reactor
 * thread sleeps in its event loop (0 CPU), a caller blocked for a long call sleeps in
 * `Atomics.wait` after its 50 µs (slices of 50 ms, ~20 wake-ups per second). On a machine where
 * another process occupies the other core, set both budgets to 0.
 *
 * ## Values, errors, objects
 * Arguments and results cross by structured clone; an argument that cannot be cloned throws a
 * TypeError naming its position before anything is sent. A result that is an object with methods
 * stays in the host and comes back as a remote facade (released on GC or with `release()`).
 * Errors come back as the same class where known (built-ins, crochet's, `registerErrorClass()`),
 * with message, cause, own properties and a stack of the reactor-side frames followed by the
 * caller's frames (wire.ts).
 *
 * ## Timeouts and cancellation
 * Each call runs in the host as an `Operation` inside `callStorage.run`, so `currentSignal()`
 * works there. A caller's timeout throws TimeoutError and tells the host, which aborts the
 * call's signal (the work really stops); `EventualResult.cancel()` aborts it too.
 *
 * ## Faults
 * - A module that fails to load: ReactorThreadError('load-failed', cause = the module's error).
 * - A constructor that throws: its error, rebuilt.
 * - The thread crashes (uncaught exception) or exits (process.exit): every pending caller in
 *   every thread fails at once with ReactorThreadError('crashed' | 'exited'); facades of objects
 *   hosted there keep failing that way; the next `load()` starts a new thread.
 * - A call that nothing in the thread can settle (its loop runs dry while it is pending):
 *   DeadlockError('nothing-pending').
 * - A worker killed without running JavaScript is noticed by the spawning thread's 'exit' event,
 *   so only when that thread's loop is free (a blocked main thread does not see it).
 * - `stop()`, `reactor.stop()` (a 'before' shutdown hook) and SIGINT/SIGTERM after `setup()`
 *   release every blocked caller with ReactorStopped; the thread stays stopped.
 * - The worker is unref'd: it never keeps the process alive.
 *
 * ## Output
 * While a blocking call runs, whatever the reactor thread writes to stdout/stderr (console.log
 * included) is sent to its caller on the same channel, ahead of the reply, and written there, so
 * it appears in order before the call returns. Output outside a blocking call goes through the
 * worker's own streams (Node forwards it to the main thread when its loop runs).
 *
 * ## Several threads
 * `handleOf(facade)` gives cloneable data; `attach(handle)` in another thread gives a facade of
 * the same object (each thread opens its own connection). `hostServices()` hosts on the calling
 * thread's loop, so the main thread can serve a pool of synchronous workers.
 */
export { ReactorThread, reactorThread, hostServices, ServiceHostHere } from './reactor-thread';
export type { ReactorThreadOptions, ReactorThreadState, HostedModule } from './reactor-thread';
export { RemoteFacade, release, handleOf, attach } from './remote';
export type { RemoteOptions, ServiceHandle, Remote } from './remote';
export { registerErrorClass } from './wire';
