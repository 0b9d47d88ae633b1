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
 * Int32Array of counters in a SharedArrayBuffer. The caller posts a request, bumps REQUESTS;
 * the host posts the reply, bumps REPLIES and notifies. A caller that sleeps says so
 * (CALLER_SLEEPING), and the host wakes it just before it clones a blocking call's reply
 * (REPLY_SOON), so the wake-up overlaps the clone instead of following it. The other way round,
 * a host back in its loop says so (HOST_IDLE), and a caller then posts a heads-up before its
 * call, so the host's loop wakes while the call is cloned and the host spins for the call.
 * Both are hints only: a lost early wake costs the usual wake-up, never a message. The caller blocks on REPLIES with
 * `Atomics.wait` (counter, never flag: it reads the counter before draining, waits only while it
 * still has that value), drains with `receiveMessageOnPort`, and matches replies by call id;
 * replies of abandoned calls (timeouts) are dropped. It never runs the caller's event loop (see
 * signals.ts for the one exception), so it works in every context. Messages are structured
 * clones; `v8.serialize` into shared memory was measured too and lost (5 µs against 1.4 µs per
 * small message, and slower for large strings), so payloads travel as channel messages. Calls
 * and plain results cross as flat arrays (`[id, target, method, blocking, ...args]`, `[id,
 * value]`), not objects with named keys: half the clone cost (protocol.ts).
 *
 * ## Spin budget (adaptive-spin.ts)
 * Waking a sleeping thread costs tens of microseconds (futex + scheduler; the event loop's
 * uv_async on the host side). Both sides therefore spin briefly before sleeping:
 * - the caller polls REPLIES for up to 50 µs (`spinMicros.caller`) before `Atomics.wait`;
 * - the host, right after replying to a blocking call, polls every connection's REQUESTS for up
 *   to 50 µs (`spinMicros.host`) and takes a request that arrives with `receiveMessageOnPort`,
 *   without a loop turn. A burst never holds the host's loop more than 2 ms.
 * The budgets adapt: a spin that sees its event within 50 µs pays off; after 4 spins in a row
 * that run out (or see it late) a side stops spinning, and one wait in 256 probes the full budget
 * again. One failure alone does not stop it: a GC pause or a preemption makes a spin run out now
 * and then, and stopping on each one left half of all back-to-back calls paying the wake-up.
 * Spinning only pays when both threads really run at once; on a machine short of cores the
 * spinner holds the core the other side needs, so it stops.
 * Cost: at most 50 µs of CPU per blocking call on each side while spinning pays, about 0.2 µs
 * per call (the probes) when it does not. An idle reactor thread sleeps in its event loop (no
 * CPU); a caller blocked on a long call sleeps in `Atomics.wait` (slices of 50 ms, about 20
 * wake-ups per second; measured: 6 ms of CPU for a 1 s call, whole process). The early wakes
 * (REPLY_SOON, heads-ups) spin too, for as long as the other side takes to clone the message
 * (at most 500 µs each, adaptive like the others: with a core taken by another process they
 * stop, since the spinner would hold the core the cloning side needs).
 *
 * ## TypeScript
 * Compiled services need nothing. Under tsx the worker inherits `execArgv`, but Node 20 does not
 * apply the `--import tsx` module hooks to a worker's own modules, so the worker's bootstrap
 * registers tsx's CommonJS hook (`tsx/cjs`) before anything else when the application runs
 * under tsx (or this library runs from its .ts sources); service modules are loaded with
 * require() (import() for ES modules). The service must use the same copy of crochet as the
 * application (decorated methods are unwrapped through crochet's own registry).
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
 * Each call runs in the host as an `Operation` in its own call context, so `currentSignal()`
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
 * What a blocking call writes to stdout/stderr (console.log included), in its own async context
 * (the method and everything it awaits), is sent to its caller on the same channel, ahead of the
 * reply, and written there, so it appears in order before the call returns. Other output (timers
 * of the service, eventual calls) goes through the worker's own streams, which Node forwards to
 * the main thread when that thread's loop runs.
 *
 * ## Several threads
 * `handleOf(facade)` gives cloneable data; `attach(handle)` in another thread gives a facade of
 * the same object (each thread opens its own connection). `hostServices()` hosts on the calling
 * thread's loop, so the main thread can serve a pool of synchronous workers.
 *
 * ## Not (yet) supported
 * - Facades as arguments (passing a remote object back to its host): not cloneable, refused.
 * - Remote facades nested inside a result (only a top-level result becomes a facade).
 * - A handle that is never attached keeps its object alive; a thread that exits without
 *   releasing its facades leaves their references held.
 * - Signals while the main thread is blocked: see signals.ts for what is possible.
 */
export { ReactorThread, reactorThread, hostServices, ServiceHostHere } from './reactor-thread';
export type { ReactorThreadOptions, ReactorThreadState, HostedModule } from './reactor-thread';
export { RemoteFacade, release, handleOf, attach } from './remote';
export type { RemoteOptions, ServiceHandle, Remote } from './remote';
export { registerErrorClass } from './wire';
