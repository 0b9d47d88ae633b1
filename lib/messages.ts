/**
 * Every message the library puts in an error or a report, in one table, so that specs assert
 * against the same text users read. Each message says what was wrong and what to do. One is
 * assembled elsewhere for its size (`notAMethod`, declare/misuse-text.ts; two refusals,
 * core/refusal-text.ts; a reactor thread's end, thread/end-text.ts), but is in the table.
 *
 * Context: any thread; text only.
 */
import { quote } from './quote';
import { notAMethod } from './declare/misuse-text';
import { handleClosing, inImmediateBatch } from './core/refusal-text';
import { threadDisposeTimedOut, threadExited, threadStopTimedOut } from './thread/end-text';

/**
 * Every message crochet puts in an error or a report, as functions of the details they name, so
 * that a test can assert against the exact text: `expect(fn).to.throw(TimeoutError,
 * messages.timeout(50, 'waitFor(50) function fetch()'))`. Each entry says which error (or report)
 * carries it.
 */
export const messages = {
  /** NotSetUpError: a reactor-bound call (`what`) before `setup()` or `noSetup()`. */
  notSetUp: (what: string) =>
    `crochet: ${what} was called before the reactor was started. Call setup() once at program ` +
    `start (or noSetup() if your application manages process shutdown itself).`,
  /** ReactorStopped: a reactor-bound call (`what`) after the reactor stopped. */
  stopped: (what: string) =>
    `crochet: ${what} cannot run because the reactor has stopped (reactor.stop() ran, or the ` +
    `process is shutting down).`,
  /** ReactorStopped: the reactor stopped (or was reset) while the call was pending. */
  stoppedWhilePending: () =>
    'crochet: the reactor stopped before this call finished; the call was abandoned.',
  /** CrochetError: `noSetup()` after `setup()`. */
  noSetupAfterSetup: () =>
    'crochet: noSetup() was called after setup(); the reactor is already managed by crochet. ' +
    'Call one or the other, once, at program start.',
  /** CrochetError: `noSetup()` called a second time. */
  noSetupTwice: () => 'crochet: noSetup() was called twice. Call it once, at program start.',
  /** ReactorStopped: `setup()` once the reactor is stopping or stopped. */
  setupAfterStop: () =>
    'crochet: setup() was called after the reactor stopped; a stopped reactor cannot be restarted.',
  /**
   * TimeoutError: `what` did not finish within `ms` (blocking calls, `wait()`, reactor threads).
   */
  timeout: (ms: number, what: string) => `crochet: ${what} did not finish within ${ms} ms.`,
  /** CancelledError: `EventualResult.cancel()` ended the call. */
  cancelled: () =>
    'crochet: the call was cancelled with EventualResult.cancel() before it finished; its ' +
    'currentSignal() was aborted.',
  /** DeadlockError `'in-microtask'`: an in-thread blocking call (`what`) inside a microtask. */
  inMicrotask: (what: string) =>
    `crochet: ${what} cannot block here: the caller is running inside a microtask (a promise ` +
    `callback, code after an 'await', or the top level of an ES module). The event loop cannot ` +
    `be pumped from a microtask, so the result could never arrive. Call it from synchronous ` +
    `code (a CommonJS module, a callback from a timer, I/O or an event emitter); from async code ` +
    `or an ES module, host the service on a reactor thread (reactorThread.load(...).create(...)), ` +
    `whose blocking calls work in every context, or await the async layer directly.`,
  /**
   * DeadlockError `'in-microtask'`, at the top level of a CommonJS entry module that tsx or a
   * loader evaluates through the ES-module loader: `inMicrotask` plus what works there.
   */
  inMicrotaskAtEntry: (what: string, entry: string, runner: 'tsx' | 'loader') =>
    `${messages.inMicrotask(what)} Here it is the top level of ${entry}, a CommonJS entry ` +
    `module that ${runner === 'tsx' ? 'tsx' : 'Node'} evaluates through its ES-module loader, ` +
    `inside a microtask` +
    (runner === 'tsx'
      ? ` ('tsx ${entry}' and 'node --import tsx ${entry}' both do). What works: run it with ` +
        `tsx's CommonJS hook, 'node --require tsx/cjs ${entry}', where the top level is plain ` +
        `synchronous code; or`
      : ` (Node does so when the process has an --import or --loader option). What works: run ` +
        `it without those options (preload CommonJS modules with --require); or`) +
    ` make the blocking calls from a callback that runs once the module has loaded ` +
    `(setTimeout(main, 0)); or host the service on a reactor thread.`,
  /** CrochetError: deasync's binary could not be loaded for in-thread blocking. */
  deasyncUnavailable: (platform: string, nodeVersion: string) =>
    `crochet: in-thread blocking (@waitFor, facade(), EventualResult.wait()) needs the deasync ` +
    `package's native binary, which could not be loaded on ${platform} with Node.js ` +
    `${nodeVersion} (deasync ships prebuilt binaries for some platforms only; elsewhere its ` +
    `install script builds one, and npm 11 runs install scripts only when approved). Either ` +
    `approve and rebuild it (npm install-scripts approve deasync, then npm rebuild deasync; ` +
    `which needs a C++ toolchain), or host the service on a reactor thread ` +
    `(reactorThread.load(...).create(...)), which does not use deasync. The loader's error is ` +
    `the cause.`,
  /** DeadlockError `'in-immediate-batch'`: not the first setImmediate callback of a batch. */
  inImmediateBatch,
  /** DeadlockError `'handle-closing'`: in a callback of a handle that is already closing. */
  handleClosing,
  /** DeadlockError `'nothing-pending'`: nothing could ever settle the in-thread call `what`. */
  deadWait: (what: string) =>
    `crochet: ${what} can never finish: its result is still pending and nothing but unref'd ` +
    `handles would keep the event loop alive (the point at which a plain script would exit). ` +
    `Check that the awaited work was started and that its timers or sockets are not unref()'d.`,
  /** TypeError (not a number) or RangeError (not finite, negative): a bad timeout at `where`. */
  badTimeout: (value: unknown, where: string) =>
    `crochet: ${where} needs a timeout in milliseconds, a finite number >= 0; got ${quote(value)}.`,
  /** TypeError: `where` needs a function (wrappers, body helpers, shutdown hooks). */
  notAFunction: (value: unknown, where: string) =>
    `crochet: ${where} needs a function; got ${quote(value)}.`,
  /**
   * TypeError: a decorator put on something that is not a method; the sentence and its parts
   * are in declare/misuse-text.ts.
   */
  notAMethod,
  /** TypeError: `@runInReactor()` written with parentheses. */
  runInReactorCalledEmpty: () =>
    'crochet: @runInReactor takes no arguments; write @runInReactor, not @runInReactor().',
  /** TypeError: `unwrap()` of a function that is not decorated or wrapped. */
  notWrapped: (value: unknown) =>
    `crochet: unwrap() needs a method decorated with @waitFor/@runInReactor or a function ` +
    `wrapped by waitFor()/runInReactor(); got ${quote(value)}.`,
  /** TypeError: `reactorMethods()` or `registerErrorClass()` of something that is not a class. */
  notAClass: (value: unknown) =>
    `crochet: reactorMethods() needs a class (a constructor function); got ${quote(value)}.`,
  /** RangeError: `retrieveResult()` of an id never stashed or already retrieved. */
  unknownResultId: (id: unknown) =>
    `crochet: no stashed EventualResult has id ${quote(id)}: it was never stashed, or it was ` +
    `already retrieved (retrieveResult() gives each id back once).`,
  /** CrochetError: `currentSignal()` outside a reactor-bound call. */
  noCurrentCall: () =>
    'crochet: currentSignal() was called outside a reactor-bound call. Call it inside the body ' +
    'of a @waitFor/@runInReactor method (or in code that body awaits).',
  /** TypeError: `blockingBody()`/`eventualBody()` used outside a decorated method. */
  bodyHelperOutsideCall: (helper: string) =>
    `crochet: ${helper}() declares the body of a reactor-bound method; use it only as ` +
    `'return ${helper}(async () => ...)' directly inside a method decorated with ` +
    `${helper === 'blockingBody' ? '@waitFor(ms)' : '@runInReactor'}.`,
  /** TypeError: a body helper returned from a method with the other decorator. */
  bodyHelperMismatch: (helper: string, decorator: string) =>
    `crochet: ${helper}() was returned from a method decorated with ${decorator}; use ` +
    `${helper === 'blockingBody' ? 'eventualBody()' : 'blockingBody()'} there instead.`,
  /** TypeError: `facade()` of something that is not a class. */
  facadeNeedsClass: (value: unknown) =>
    `crochet: facade() needs a service class (a constructor function); got ${quote(value)}.`,
  /** TypeError: `facade()` without an options object. */
  facadeNeedsOptions: (value: unknown) =>
    `crochet: facade() needs an options object with at least { timeoutMs }; got ${quote(value)}.`,
  /** TypeError: a facade constructed without a service instance. */
  facadeNeedsInstance: (className: string, value: unknown) =>
    `crochet: a ${className} facade is constructed with a ${className} instance; got ${quote(value)}.`,
  /**
   * TypeError: an option of `facade()`, `create()`, `functions()` or `expose()` names something
   * that is not a method (`subject` is the call, e.g. `facade(Counter)`).
   */
  unknownMethodOption: (
    subject: string,
    className: string,
    option: string,
    name: string | symbol,
    methods: readonly (string | symbol)[],
  ) =>
    `crochet: ${subject} option '${option}' names ${quote(name)}, which is not a method ` +
    `of ${className}. Its methods are: ${methods.map((m) => String(m)).join(', ') || '(none)'}.`,
  /** TypeError: an options object with a key that is not one of the options. */
  unknownOption: (subject: string, option: string, known: readonly string[]) =>
    `crochet: ${subject} has no option ${quote(option)}; the options are ${known.join(', ')}.`,
  /** TypeError: an option of the wrong shape. */
  badOption: (subject: string, option: string, expected: string, value: unknown) =>
    `crochet: ${subject} option '${option}' must be ${expected}; got ${quote(value)}.`,
  /**
   * TypeError: a `@runInReactor` method not listed in the `eventual` option (`facade()`,
   * `create()`, `expose()`).
   */
  facadeEventualNotListed: (className: string, name: string | symbol) =>
    `crochet: ${className}.${String(name)}() is decorated with @runInReactor, so its facade ` +
    `method returns an EventualResult; list it in the 'eventual' option so that its type says so.`,
  /** TypeError: a `wrap` entry of `facade()` that is not a class. */
  facadeBadWrap: (className: string, name: string | symbol, value: unknown) =>
    `crochet: facade(${className}) option wrap.${String(name)} must be a facade class; got ${quote(value)}.`,
  /** TypeError: at call time, the service instance no longer has the method as a function. */
  facadeMethodGone: (className: string, name: string | symbol, value: unknown) =>
    `crochet: the facade forwards ${String(name)}() to the ${className} instance, but there it is ` +
    `${quote(value)}, not a function.`,
  /** TypeError: `reactorThread.load()` of something that is not a module path, URL or name. */
  threadBadModule: (value: unknown) =>
    `crochet: reactorThread.load() needs a module: an absolute path, a file: URL, a path ` +
    `relative to the working directory or a package name; got ${quote(value)}.`,
  /** TypeError: `addShutdownHook()` with a phase other than 'before', 'during' or 'after'. */
  badHookPhase: (phase: unknown) =>
    `crochet: a shutdown hook phase is 'before', 'during' or 'after'; got ${quote(phase)}.`,
  /** Report: a shutdown hook threw or rejected (the error is reported with it). */
  hookFailed: (name: string, phase: string) =>
    `crochet: shutdown hook '${name}' (${phase}) failed; the other hooks still run.`,
  /** Report: a shutdown hook ran out of time and was skipped. */
  hookTimedOut: (name: string, phase: string, ms: number) =>
    `crochet: shutdown hook '${name}' (${phase}) did not finish within ${ms} ms; skipped so ` +
    `that shutdown does not hang.`,
  /** Report: an EventualResult failed and nobody observed the error. */
  unobservedFailure: () =>
    'crochet: an EventualResult failed and nobody observed the error (call wait() or ' +
    'originalError() to observe it):',
  /** Report: a blocking call failed after its caller stopped waiting (timeout or refusal). */
  lateFailure: () =>
    'crochet: a blocking call (@waitFor or facade method) failed after its caller had given up ' +
    'waiting (timeout or refusal); its error:',
  /** Report: an uncaught exception during the shutdown that a signal started. */
  uncaughtDuringShutdown: () =>
    'crochet: an uncaught exception was thrown while the reactor was shutting down after a signal:',
  /** Report, at shutdown: a stashed result failed and was never retrieved and observed. */
  stashedUnobserved: (id: number) =>
    `crochet: stashed EventualResult ${id} failed and was never retrieved and observed:`,
  // Reactor threads (lib/thread).
  /** TypeError: an argument of a reactor-thread call cannot be structured-cloned. */
  threadUncloneableArg: (what: string, index: number, value: unknown) =>
    index < 0
      ? `crochet: the arguments of ${what} cannot be sent to the reactor thread (structured clone refused them).`
      : `crochet: argument ${index + 1} of ${what} cannot be sent to the reactor thread: ` +
        `${quote(value)} cannot be structured-cloned (functions, symbols, class instances with ` +
        `private state and host objects cannot cross threads). Pass plain data, or a facade ` +
        `of a hosted object.`,
  /** TypeError: reading an argument of a reactor-thread call threw (a getter, a proxy trap). */
  threadUnreadableArg: (what: string, index: number) =>
    `crochet: argument ${index + 1} of ${what} cannot be sent to the reactor thread: reading it ` +
    `threw (the cause says what). Pass plain data.`,
  /** TypeError: a reactor-thread call's result cannot be structured-cloned back. */
  threadUncloneableResult: (what: string) =>
    `crochet: the result of ${what} cannot be sent back from the reactor thread: reading or ` +
    `cloning it failed (the cause says how). Return plain data, or declare it in \`remote\` to ` +
    `get a remote facade of its result.`,
  /** TypeError: part of a result cannot cross by value (lib/thread/transport/by-value.ts). */
  threadResultNotData: (what: string, method: string, path: string, found: string) =>
    `crochet: ${what} returned a value that cannot cross threads by value: ${path} is ` +
    `${found}. Return data (e.g. the fields you need), or declare the method remote to get a ` +
    `facade that calls the object where it lives: { remote: { ${method}: true } } in the ` +
    `options of create()/functions()/expose().`,
  /** TypeError: part of an argument cannot cross by value (lib/thread/transport/by-value.ts). */
  threadArgNotData: (what: string, path: string, found: string) =>
    `crochet: ${what} cannot send its arguments to the reactor thread: ${path} is ${found}, ` +
    `which cannot cross threads by value. Pass data: a function or a live object stays where ` +
    `it is; host the object there instead (create(), or return it from a method declared ` +
    `remote) and pass what it needs as data.`,
  /** TypeError: the `remote` option of a hosted facade is badly shaped. */
  threadBadRemote: (className: string, name: string, value: unknown) =>
    `crochet: option remote.${name} of ${className} must be true or the options of the remote ` +
    `facade ({ timeoutMs, timeouts, eventual, remote }); got ${quote(value)}.`,
  /** TypeError: the `dispose` option of `create()` names something that is not a method. */
  threadBadDispose: (className: string, value: unknown, known: readonly string[]) =>
    `crochet: option dispose of ${className} must be false or the name of a method that ` +
    `closes it (its methods are: ${known.length === 0 ? '(none)' : known.join(', ')}); got ` +
    `${quote(value)}.`,
  /** Report: a hosted service's disposal at shutdown failed. */
  threadDisposeFailed: (what: string) =>
    `crochet: disposing ${what} at shutdown failed; the other services are still disposed.`,
  /** Report: a hosted service's disposal at shutdown ran out of time. */
  threadDisposeTimedOut,
  /** Report: a reactor thread's orderly stop outlasted `stopTimeoutMs`; it was terminated. */
  threadStopTimedOut,
  /** ReactorThreadError `'unknown-export'`: `functions()` of a module without functions. */
  threadNoFunctions: (path: string) =>
    `crochet: module ${quote(path)} exports no functions to host; use create() for a class.`,
  /** ReactorThreadError `'start-failed'`: the worker did not start in time. */
  threadStartFailed: (name: string, ms: number) =>
    `crochet: reactor thread '${name}' did not start within ${ms} ms (its worker failed to ` +
    `load or is stuck). Check the execArgv/loader options and stderr.`,
  /** ReactorThreadError `'load-failed'`: a service module failed to load. */
  threadLoadFailed: (path: string, name: string) =>
    `crochet: reactor thread '${name}' could not load service module ${quote(path)}; see the ` +
    `cause. A package name is looked up from the working directory and the entry module's ` +
    `folder; a relative path starts with ./ or ../; from an ES module, pass ` +
    `new URL(import.meta.resolve('name')) for a package that exports only for import.`,
  /**
   * ReactorThreadError `'unknown-export'`: `create()` of a name the module does not export as a
   * class.
   */
  threadUnknownExport: (path: string, exportName: string, found: readonly string[]) =>
    `crochet: service module ${quote(path)} has no exported class ${quote(exportName)}; its ` +
    `exported classes are: ${found.length === 0 ? '(none)' : found.join(', ')}.`,
  /** ReactorThreadError `'crashed'`: the reactor thread ended with an uncaught exception. */
  threadCrashed: (name: string) =>
    `crochet: reactor thread '${name}' crashed (an uncaught exception); the call was abandoned ` +
    `and every object hosted there is gone. The next load()/create() starts a new thread.`,
  /** ReactorThreadError `'exited'`: process.exit(code), the thread ended, or (no code) it died. */
  threadExited,
  /** ReactorStopped: a reactor thread (or hosted services) stopped; the call was abandoned. */
  threadStopped: (name: string) =>
    `crochet: reactor thread '${name}' has stopped (reactor.stop(), a signal, or stop() on the ` +
    `thread); the call was abandoned.`,
  /** ReactorThreadError `'released'`: a call on a released remote facade. */
  threadReleased: (what: string) =>
    `crochet: ${what} was called on a remote facade that was already released.`,
  /** DeadlockError `'nothing-pending'`: nothing in the reactor thread could settle the call. */
  threadNeverSettles: (what: string) =>
    `crochet: ${what} can never finish: its result is pending in the reactor thread and nothing ` +
    `there (no timer, socket or request) could ever settle it.`,
  /** TypeError: `attach()` of something that is not a handle from `handleOf()`. */
  threadBadHandle: (value: unknown) =>
    `crochet: attach() needs a handle made by handleOf(); got ${quote(value)}.`,
  /**
   * DeadlockError `'host-thread'`: a blocking call to services hosted on the caller's own thread.
   */
  threadSelfCall: (what: string, name: string) =>
    `crochet: ${what} cannot block here: its service is hosted by '${name}' on this very thread, ` +
    `whose event loop would have to run the call while it is blocked. Call the service directly ` +
    `(await it), or host it on another thread.`,
  /** TypeError: `release()` or `handleOf()` of something that is not a remote facade. */
  threadNotAFacade: (value: unknown) =>
    `crochet: ${quote(value)} is not a facade of a hosted object.`,
} as const;
