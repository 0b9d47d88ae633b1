/**
 * A bounded, self-checking soak run of both reactors.
 *
 * Many calls of mixed lengths (0 to about 300 ms; success and failure) go through the in-thread
 * reactor (`waitFor(ms)(fn)`, `@waitFor` methods, `runInReactor(fn)`, `@runInReactor` methods,
 * `facade()`) and a reactor thread (`reactorThread.load(...).create('SoakService', ...)`, blocking
 * and eventual methods), with timeouts shorter and longer than the bodies, `cancel()` at random
 * points, waits made at once and long after the call, several eventual results outstanding at
 * once, stashed results, and calls made from the top level, from timer, setImmediate and
 * (reactor thread) promise callbacks, and from callbacks that run while another call blocks.
 * At the end `reactor.stop()` runs with calls still pending.
 *
 * Every outcome is checked against ITS call: values and errors carry the call's id and a random
 * nonce; bodies record in shared memory when they started and ended (bench/soak-service.ts), so a
 * TimeoutError, a value, a CancelledError or ReactorStopped is judged against what the body had
 * really done by then. Near equality (|body end - deadline| < band) either outcome is right.
 *
 * Run: `npm run soak` (build, then `node --expose-gc dist/bench/soak.js`). Options:
 *   --seconds N   time budget (default 30)       --calls N   stop after about N calls instead
 *   --seed N      pseudo-random seed (printed)   --band N    ambiguity band in ms (default 30)
 *   --late N      how late (ms) an outcome may come before it counts as wrong (default 1000)
 *   --watchdog N  seconds before the open calls are printed and the run fails (default: twice
 *                 the budget + 60); it needs the event loop; SIGTERM prints the open calls too,
 *                 even while the main thread is blocked in a call (its signal check runs it)
 *   --immediate-batches  schedule with plain setImmediate, so that a blocking call can run in an
 *                 immediate that is not the first of its batch (see `immediate()`: it aborts the
 *                 process today)
 * Exit code 0 when every call ended with a right outcome, 1 otherwise. The last line reads
 * `soak: N passed, M failed`.
 */
import * as fs from 'node:fs';
import {
  CancelledError,
  EventualResult,
  ReactorStopped,
  TimeoutError,
  blockingBody,
  eventualBody,
  facade,
  reactor,
  reactorThread,
  retrieveResult,
  runInReactor,
  setup,
  waitFor,
  type Blocking,
} from '../lib';
import type * as ServiceModule from './soak-service';
import {
  SoakFailure,
  SoakService,
  StatusBoard,
  monotonicMs,
  soakBody,
  type BodyStatus,
  type CallSpec,
  type SoakValue,
} from './soak-service';

// ---------------------------------------------------------------------------------------------
// Options and randomness

interface Options {
  readonly seconds: number;
  readonly calls: number | undefined;
  readonly seed: number;
  readonly band: number;
  readonly late: number;
  /** Seconds before the watchdog prints the open calls and exits; by default twice the budget + 60. */
  readonly watchdog: number | undefined;
  /** Plain setImmediate for everything (see `immediate()`). */
  readonly immediateBatches: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, number>();
  let immediateBatches = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--immediate-batches') {
      immediateBatches = true;
      continue;
    }
    const match = /^--(seconds|calls|seed|band|late|watchdog)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new Error(`soak: unknown argument ${JSON.stringify(arg)}`);
    const raw = match[2] ?? argv[(i += 1)];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value < 0) {
      throw new Error(`soak: --${match[1]} needs a number ≥ 0, got ${JSON.stringify(raw)}`);
    }
    values.set(match[1] as string, value);
  }
  return {
    seconds: values.get('seconds') ?? 30,
    calls: values.get('calls'),
    seed: (values.get('seed') ?? Math.floor(Math.random() * 2 ** 31)) >>> 0,
    band: values.get('band') ?? 30,
    late: values.get('late') ?? 1000,
    watchdog: values.get('watchdog'),
    immediateBatches,
  };
}

/** mulberry32: small, fast, seedable. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

const options = parseOptions(process.argv.slice(2));
const rng = new Random(options.seed);
const BAND = options.band;

// ---------------------------------------------------------------------------------------------
// Calls, outcomes and judging

type ReactorName = 'in-thread' | 'thread';
type OutcomeKind =
  'value' | 'error' | 'TimeoutError' | 'CancelledError' | 'ReactorStopped' | 'other';
const OUTCOME_KINDS: readonly OutcomeKind[] = [
  'value',
  'error',
  'TimeoutError',
  'CancelledError',
  'ReactorStopped',
  'other',
];
type Context = 'top' | 'timer' | 'immediate' | 'microtask' | 'later';
const CONTEXTS: readonly Context[] = ['top', 'timer', 'immediate', 'microtask', 'later'];

interface Outcome {
  readonly kind: OutcomeKind;
  readonly payload: unknown;
}

/** A moment the caller gave up on the body (cancel() or the reactor's stop), and what it saw. */
interface Cut {
  readonly at: number;
  /** The body had ended on its own before the cut (undefined: its status is unknown). */
  readonly doneBefore: boolean | undefined;
  readonly startedBefore: boolean | undefined;
}

interface Call {
  readonly id: number;
  readonly reactor: SoakReactor;
  readonly api: string;
  readonly kind: 'blocking' | 'eventual';
  readonly spec: CallSpec;
  readonly context: Context;
  readonly startedAt: number;
  result: EventualResult<SoakValue> | undefined;
  cancel: Cut | undefined;
  stop: Cut | undefined;
  /** Made after the reactor stopped: must throw ReactorStopped at once. */
  afterStop: boolean;
  /** The call's definitive outcome (not a wait's TimeoutError). */
  final: Outcome | undefined;
  readonly problems: string[];
  /** What was observed, for the report of a wrong call. */
  readonly log: string[];
}

interface Frame {
  nested: boolean;
}

/** The blocking waits in progress, innermost last: a wait that starts marks all of them nested. */
const blockStack: Frame[] = [];
const calls: Call[] = [];
const callsById = new Map<number, Call>();
let nextId = 1;
/** Problems of the soak itself (an exception escaping a task), counted as failures. */
const soakProblems: string[] = [];

const fmt = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : String(ms));

function describe(value: unknown): string {
  if (value instanceof Error) {
    const props = value as unknown as Record<string, unknown>;
    const extra = 'callId' in props ? ` callId=${String(props.callId)}` : '';
    return `${value.name}: ${value.message}${extra}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function classify(thrown: boolean, payload: unknown): Outcome {
  if (!thrown) return { kind: 'value', payload };
  if (payload instanceof TimeoutError) return { kind: 'TimeoutError', payload };
  if (payload instanceof CancelledError) return { kind: 'CancelledError', payload };
  if (payload instanceof ReactorStopped) return { kind: 'ReactorStopped', payload };
  if (payload instanceof SoakFailure) return { kind: 'error', payload };
  return { kind: 'other', payload };
}

/** Whether the outcome is the call's own value or error (checked against id and nonce). */
function ownOutcome(call: Call, outcome: Outcome): string | undefined {
  const { spec } = call;
  if (outcome.kind === 'value') {
    const value = outcome.payload as Partial<SoakValue> | null;
    if (value === null || typeof value !== 'object')
      return `value ${describe(value)} is no SoakValue`;
    if (value.id !== spec.id || value.nonce !== spec.nonce) {
      return `got the value of another call: ${describe(value)}`;
    }
    if (spec.fail) return `got a value although the body fails`;
    return undefined;
  }
  if (outcome.kind === 'error') {
    const error = outcome.payload as SoakFailure;
    if (error.callId !== spec.id || error.nonce !== spec.nonce) {
      return `got the error of another call: ${describe(error)}`;
    }
    if (!spec.fail) return `got an error although the body succeeds`;
    return undefined;
  }
  return `not an own outcome: ${outcome.kind}`;
}

/**
 * When the body ends (or would end) on its own: its recorded end; for a body still running, or
 * stopped by its abort, its start plus its length (and not before `now`); never, if not started.
 */
function naturalEnd(call: Call, status: BodyStatus, now: number): number {
  if (status.done && !status.aborted) return status.endAt;
  if (!status.started) return Number.POSITIVE_INFINITY;
  const planned = status.startAt + call.spec.ms;
  return status.done ? planned : Math.max(planned, now);
}

interface Observation {
  readonly what: string;
  readonly start: number;
  readonly end: number;
  readonly timeoutMs: number;
  readonly nested: boolean;
  readonly outcome: Outcome;
}

/** Judges one observation (a blocking call, or one wait() of an eventual result). */
function judge(call: Call, o: Observation): void {
  const { outcome } = o;
  const status = call.reactor.board.read(call.id);
  const problems: string[] = [];
  const kind = outcome.kind;
  call.log.push(
    `${o.what}(${o.timeoutMs}) after ${fmt(o.start - call.startedAt)}: ${kind}` +
      `${kind === 'value' || kind === 'other' || kind === 'error' ? ` ${describe(outcome.payload)}` : ''}` +
      ` in ${fmt(o.end - o.start)}${o.nested ? ' (nested)' : ''}`,
  );
  const isOwn = kind === 'value' || kind === 'error';
  if (isOwn) {
    const wrong = ownOutcome(call, outcome);
    if (wrong !== undefined) problems.push(wrong);
  }
  if (kind === 'other') problems.push(`unexpected outcome ${describe(outcome.payload)}`);
  // A settled result gives the same outcome every time (the very same object).
  if (call.final !== undefined && kind !== 'TimeoutError') {
    if (call.final.kind !== kind || call.final.payload !== outcome.payload) {
      problems.push(`outcome changed: was ${call.final.kind}, now ${kind}`);
    }
  }
  const immediate = (since: number, what: string): void => {
    const took = o.end - Math.max(o.start, since);
    if (!o.nested && took > BAND) problems.push(`${kind} came ${fmt(took)} after ${what}`);
  };

  if (call.afterStop) {
    if (kind !== 'ReactorStopped') problems.push(`expected ReactorStopped after stop, got ${kind}`);
    immediate(o.start, 'the call');
  } else if (call.cancel !== undefined && call.cancel.at <= o.end) {
    const cut = call.cancel;
    if (cut.doneBefore === false) {
      if (
        kind !== 'CancelledError' &&
        !(kind === 'TimeoutError' && cut.at >= o.start + o.timeoutMs - BAND)
      ) {
        problems.push(`expected CancelledError (body not done at cancel()), got ${kind}`);
      }
    } else if (cut.doneBefore === true) {
      // Settled before cancel(): in-thread the outcome is already there; from a reactor thread
      // the reply may still have been on its way, and cancel() drops it.
      const allowed = call.reactor.name === 'thread' ? isOwn || kind === 'CancelledError' : isOwn;
      if (!allowed) problems.push(`body was done before cancel(), got ${kind}`);
    } else if (!isOwn && kind !== 'CancelledError') {
      problems.push(`expected CancelledError or the own outcome, got ${kind}`);
    }
    if (kind === 'CancelledError') immediate(cut.at, 'cancel()');
  } else if (call.stop !== undefined && call.stop.at <= o.end) {
    const cut = call.stop;
    if (cut.doneBefore === false) {
      if (kind !== 'ReactorStopped') {
        problems.push(`expected ReactorStopped (body not done at stop), got ${kind}`);
      }
    } else if (cut.doneBefore === true) {
      const allowed = call.reactor.name === 'thread' ? isOwn || kind === 'ReactorStopped' : isOwn;
      if (!allowed) problems.push(`body was done before the stop, got ${kind}`);
    } else if (!isOwn && kind !== 'ReactorStopped') {
      problems.push(`expected ReactorStopped or the own outcome, got ${kind}`);
    }
    if (kind === 'ReactorStopped') immediate(cut.at, 'the stop');
  } else {
    if (kind === 'CancelledError' || kind === 'ReactorStopped') {
      problems.push(`${kind} although the call was neither cancelled nor stopped`);
    }
    const deadline = o.start + o.timeoutMs;
    if (isOwn && status !== undefined) {
      const end = naturalEnd(call, status, o.end);
      if (!status.done || status.aborted) problems.push(`${kind} before the body ended`);
      else if (end > deadline + BAND && !o.nested) {
        problems.push(`${kind} although the body ended ${fmt(end - deadline)} after the deadline`);
      } else if (!o.nested && o.end - Math.max(end, o.start) > options.late) {
        problems.push(`${kind} came ${fmt(o.end - end)} after the body ended`);
      }
    }
    if (kind === 'TimeoutError') {
      const error = outcome.payload as TimeoutError;
      if (error.timeoutMs !== o.timeoutMs) {
        problems.push(`TimeoutError.timeoutMs ${error.timeoutMs}, expected ${o.timeoutMs}`);
      }
      if (o.end < deadline - 1) problems.push(`TimeoutError ${fmt(deadline - o.end)} early`);
      if (!o.nested && o.end - deadline > options.late) {
        problems.push(`TimeoutError ${fmt(o.end - deadline)} after the deadline`);
      }
      if (status !== undefined) {
        const end = naturalEnd(call, status, o.end);
        if (end < deadline - BAND) {
          problems.push(
            `TimeoutError although the body ended ${fmt(deadline - end)} before the deadline`,
          );
        }
      }
      if (!o.nested && status !== undefined) call.reactor.stats.timeoutLate.push(o.end - deadline);
    }
  }
  for (const problem of problems) call.problems.push(`${o.what}: ${problem}`);
  if (kind !== 'TimeoutError' && call.final === undefined) {
    call.final = outcome;
    call.reactor.stats.outcomes[kind] += 1;
    if (call.kind === 'blocking' && isOwn && !o.nested && problems.length === 0) {
      call.reactor.stats.latency.push(o.end - o.start - call.spec.ms);
    }
  } else if (kind === 'TimeoutError' && call.kind === 'blocking') {
    call.final = outcome;
    call.reactor.stats.outcomes.TimeoutError += 1;
  } else if (kind === 'TimeoutError') {
    call.reactor.stats.waitTimeouts += 1;
  }
}

/** Runs one blocking step (a blocking call or a wait) and judges it. */
function observe(call: Call, what: string, timeoutMs: number, step: () => unknown): Outcome {
  for (const frame of blockStack) frame.nested = true;
  const frame: Frame = { nested: false };
  blockStack.push(frame);
  const start = monotonicMs();
  let thrown = false;
  let payload: unknown;
  try {
    payload = step();
  } catch (error) {
    thrown = true;
    payload = error;
  } finally {
    blockStack.pop();
  }
  const end = monotonicMs();
  const outcome = classify(thrown, payload);
  judge(call, { what, start, end, timeoutMs, nested: frame.nested, outcome });
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// The two reactors behind one interface

interface Stats {
  calls: number;
  blocking: number;
  eventual: number;
  readonly contexts: Record<Context, number>;
  readonly outcomes: Record<OutcomeKind, number>;
  waitTimeouts: number;
  readonly latency: number[];
  readonly timeoutLate: number[];
}

interface BlockingVariant {
  readonly api: string;
  readonly timeoutMs: number;
  readonly invoke: () => SoakValue;
}

interface EventualVariant {
  readonly api: string;
  readonly invoke: () => EventualResult<SoakValue>;
}

interface SoakReactor {
  readonly name: ReactorName;
  readonly board: StatusBoard;
  readonly stats: Stats;
  /** Whether its calls can be made inside a microtask (the in-thread reactor refuses). */
  readonly inMicrotasks: boolean;
  /** A blocking way to call; `plain`: the facade's `run` with exactly that (grid) timeout. */
  blocking(spec: CallSpec, timeoutMs: number, plain?: boolean): BlockingVariant;
  eventual(spec: CallSpec): EventualVariant;
}

function newStats(): Stats {
  return {
    calls: 0,
    blocking: 0,
    eventual: 0,
    contexts: Object.fromEntries(CONTEXTS.map((c) => [c, 0])) as Record<Context, number>,
    outcomes: Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as Record<OutcomeKind, number>,
    waitTimeouts: 0,
    latency: [],
    timeoutLate: [],
  };
}

/** Timeouts are drawn from a grid, so that facades (one per timeout) can be made up front. */
const TIMEOUT_GRID: readonly number[] = [
  0,
  1,
  2,
  ...Array.from({ length: 80 }, (_, i) => 5 * (i + 1)),
  500,
  1000,
  5000,
];

function onGrid(ms: number): number {
  if (ms <= 2) return Math.max(0, Math.round(ms));
  if (ms <= 400) return Math.max(5, Math.round(ms / 5) * 5);
  if (ms <= 700) return 500;
  return ms <= 2000 ? 1000 : 5000;
}

/** What the facades of both reactors look like to the soak. */
interface SoakFacade {
  run(spec: CallSpec): SoakValue;
  runAlt(spec: CallSpec): SoakValue;
  runDecorated(spec: CallSpec): SoakValue;
  start(spec: CallSpec): EventualResult<SoakValue>;
  startDecorated(spec: CallSpec): EventualResult<SoakValue>;
}

/** Both reactors' facades: `Blocking<SoakService, 'start' | 'startDecorated'>` is a SoakFacade. */
function asSoakFacade(f: Blocking<SoakService, 'start' | 'startDecorated'>): SoakFacade {
  return f;
}

const FACADE_OPTIONS = {
  timeouts: { runAlt: 250 },
  eventual: ['start', 'startDecorated'] as const,
};

function inThreadReactor(): SoakReactor {
  const board = new StatusBoard(StatusBoard.allocate());
  const service = new SoakService(board.buffer);
  const body = (spec: CallSpec): SoakValue | Promise<SoakValue> => soakBody(board, spec);

  class Decorated {
    @waitFor(100)
    fixed100(spec: CallSpec): SoakValue {
      return blockingBody(() => body(spec));
    }

    @waitFor(40)
    static fixed40(spec: CallSpec): SoakValue {
      return blockingBody(() => body(spec));
    }

    @runInReactor
    later(spec: CallSpec): EventualResult<SoakValue> {
      return eventualBody(() => body(spec));
    }
  }
  const decorated = new Decorated();
  const wrappers = new Map<number, (spec: CallSpec) => SoakValue>();
  const facades = new Map<number, SoakFacade>();
  for (const ms of TIMEOUT_GRID) {
    wrappers.set(ms, waitFor(ms)(body));
    const Facade = facade(SoakService, { timeoutMs: ms, ...FACADE_OPTIONS });
    facades.set(ms, asSoakFacade(new Facade(service)));
  }
  const eventualFn = runInReactor(body);
  const facadeFor = (ms: number): SoakFacade => facades.get(ms) as SoakFacade;
  return {
    name: 'in-thread',
    board,
    stats: newStats(),
    inMicrotasks: false,
    blocking(spec, timeoutMs, plain = false) {
      const ms = onGrid(timeoutMs);
      const r = plain ? 1 : rng.next();
      if (r < 0.1)
        return { api: '@waitFor(100)', timeoutMs: 100, invoke: () => decorated.fixed100(spec) };
      if (r < 0.15)
        return { api: 'static @waitFor(40)', timeoutMs: 40, invoke: () => Decorated.fixed40(spec) };
      if (r < 0.22)
        return {
          api: 'facade runDecorated',
          timeoutMs: 150,
          invoke: () => facadeFor(ms).runDecorated(spec),
        };
      if (r < 0.28)
        return { api: 'facade runAlt', timeoutMs: 250, invoke: () => facadeFor(ms).runAlt(spec) };
      const wrapper = wrappers.get(ms) as (spec: CallSpec) => SoakValue;
      if (r < 0.64) return { api: 'waitFor(ms)(fn)', timeoutMs: ms, invoke: () => wrapper(spec) };
      return { api: 'facade run', timeoutMs: ms, invoke: () => facadeFor(ms).run(spec) };
    },
    eventual(spec) {
      const r = rng.next();
      if (r < 0.35) return { api: 'runInReactor(fn)', invoke: () => eventualFn(spec) };
      if (r < 0.6) return { api: '@runInReactor', invoke: () => decorated.later(spec) };
      const f = facadeFor(rng.pick(TIMEOUT_GRID));
      if (r < 0.8) return { api: 'facade start', invoke: () => f.start(spec) };
      return { api: 'facade startDecorated', invoke: () => f.startDecorated(spec) };
    },
  };
}

function threadReactor(): SoakReactor {
  const board = new StatusBoard(StatusBoard.allocate());
  const hosted = reactorThread.load<typeof ServiceModule>(require.resolve('./soak-service'));
  const facades = new Map<number, SoakFacade>();
  for (const ms of TIMEOUT_GRID) {
    const remote = hosted.create('SoakService', [board.buffer], {
      timeoutMs: ms,
      ...FACADE_OPTIONS,
    });
    facades.set(ms, asSoakFacade(remote));
  }
  const facadeFor = (ms: number): SoakFacade => facades.get(ms) as SoakFacade;
  return {
    name: 'thread',
    board,
    stats: newStats(),
    inMicrotasks: true,
    blocking(spec, timeoutMs, plain = false) {
      const ms = onGrid(timeoutMs);
      const f = facadeFor(ms);
      const r = plain ? 1 : rng.next();
      if (r < 0.08)
        return { api: 'remote runDecorated', timeoutMs: 150, invoke: () => f.runDecorated(spec) };
      if (r < 0.16) return { api: 'remote runAlt', timeoutMs: 250, invoke: () => f.runAlt(spec) };
      return { api: 'remote run', timeoutMs: ms, invoke: () => f.run(spec) };
    },
    eventual(spec) {
      const f = facadeFor(rng.pick(TIMEOUT_GRID));
      if (rng.chance(0.7)) return { api: 'remote start', invoke: () => f.start(spec) };
      return { api: 'remote startDecorated', invoke: () => f.startDecorated(spec) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Making calls

const BODY_MS: readonly number[] = [0, 1, 2, 5, 10, 50, 99, 100, 101, 150, 200, 301];
const SHAPES: readonly CallSpec['shape'][] = ['sync', 'promise', 'async'];

function makeSpec(ms = rng.chance(0.7) ? rng.pick(BODY_MS) : rng.int(0, 300)): CallSpec {
  return {
    id: nextId++,
    ms,
    fail: rng.chance(0.3),
    honour: rng.chance(0.5),
    shape: rng.pick(SHAPES),
    nonce: rng.int(1, 2 ** 30),
  };
}

/** A timeout clearly longer, clearly shorter, or near the body's length, or any. */
function pickTimeout(ms: number): number {
  const r = rng.next();
  if (r < 0.4) return ms + rng.int(BAND + 10, 300);
  if (r < 0.65) return Math.max(0, ms - rng.int(BAND + 10, 300));
  if (r < 0.9) return Math.max(0, ms + rng.int(-BAND - 5, BAND + 5));
  return rng.pick([0, 1, 2, 5, 10, 50, 100, 150, 200, 300, 1000, 5000]);
}

function register(
  reactor: SoakReactor,
  kind: Call['kind'],
  api: string,
  spec: CallSpec,
  context: Context,
): Call {
  reactor.board.prepare(spec.id);
  const call: Call = {
    id: spec.id,
    reactor,
    api,
    kind,
    spec,
    context,
    startedAt: monotonicMs(),
    result: undefined,
    cancel: undefined,
    stop: undefined,
    afterStop: false,
    final: undefined,
    problems: [],
    log: [],
  };
  calls.push(call);
  callsById.set(call.id, call);
  reactor.stats.calls += 1;
  reactor.stats[kind] += 1;
  reactor.stats.contexts[context] += 1;
  return call;
}

function blockingCall(
  reactor: SoakReactor,
  context: Context,
  spec: CallSpec = makeSpec(),
  timeoutMs: number = pickTimeout(spec.ms),
  plain = false,
): Call {
  const variant = reactor.blocking(spec, timeoutMs, plain);
  const call = register(reactor, 'blocking', variant.api, spec, context);
  observe(call, 'call', variant.timeoutMs, variant.invoke);
  return call;
}

function eventualCall(reactor: SoakReactor, context: Context, spec: CallSpec = makeSpec()): Call {
  const variant = reactor.eventual(spec);
  const call = register(reactor, 'eventual', variant.api, spec, context);
  try {
    call.result = variant.invoke();
  } catch (error) {
    // Only right after the stop, where the judge expects exactly this.
    observe(call, 'call', 0, () => {
      throw error;
    });
  }
  return call;
}

/** One wait() on an eventual result. */
function waitOn(call: Call, timeoutMs: number, what = 'wait'): Outcome | undefined {
  const result = call.result;
  if (result === undefined) return undefined;
  const outcome = observe(call, what, timeoutMs, () => result.wait(timeoutMs));
  if (outcome.kind !== 'TimeoutError' && rng.chance(0.8)) {
    // Settled: drop our reference now and then, so that the result can be collected.
    call.result = rng.chance(0.5) ? undefined : result;
  }
  return outcome;
}

/** The wait that must end the call: no eventual body here runs for more than a few seconds. */
function finalWait(call: Call): void {
  if (call.final !== undefined || call.result === undefined) return;
  const outcome = waitOn(call, 5000, 'final wait');
  if (outcome?.kind === 'TimeoutError') call.problems.push('did not end within a 5 s wait');
}

function cancelCall(call: Call): void {
  const result = call.result;
  if (result === undefined) return;
  if (call.final !== undefined) {
    // cancel() of a settled result changes nothing: the next wait() gives the same outcome.
    result.cancel();
    waitOn(call, 0, 'wait after a late cancel()');
    return;
  }
  const status = call.reactor.board.read(call.id);
  call.cancel = {
    at: monotonicMs(),
    doneBefore: status === undefined ? undefined : status.done && !status.aborted,
    startedBefore: status?.started,
  };
  result.cancel();
}

// ---------------------------------------------------------------------------------------------
// Continuations: work done later, from timer or setImmediate callbacks

let outstanding = 0;
/** The current phase's call limit (--calls): bursts and batches stay within it. */
let callLimit = Infinity;
const callsLeft = (): number => Math.max(1, callLimit - calls.length);

const immediateJobs: (() => void)[] = [];
let immediateScheduled = false;

/**
 * The soak's setImmediate. By default at most one of its immediates is pending at a time, so that
 * each runs alone in its loop turn's batch of immediates: a blocking call in an immediate that is
 * NOT the first of its batch, while another immediate is pending, aborts the process (Node's
 * processImmediate is not re-entrant there: the nested one reads `_idleNext` of undefined, and as
 * a JavaScript try/catch sits above the nested uv_run, Node aborts with "v8::ToLocalChecked Empty
 * MaybeLocal" in Environment::CheckImmediate). `--immediate-batches` uses plain setImmediate.
 */
function immediate(fn: () => void): void {
  if (options.immediateBatches) {
    setImmediate(fn);
    return;
  }
  immediateJobs.push(fn);
  if (!immediateScheduled) {
    immediateScheduled = true;
    setImmediate(runImmediate);
  }
}

function runImmediate(): void {
  immediateScheduled = false;
  const job = immediateJobs.shift();
  if (immediateJobs.length > 0) {
    immediateScheduled = true;
    setImmediate(runImmediate);
  }
  job?.();
}

function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    soakProblems.push(
      `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

/**
 * Runs `fn` after about `ms`: from a timer, or after a few setImmediate loop turns and then a
 * timer (turns, not a busy chain of immediates: that would spin a core and blur the CPU figures).
 */
function later(ms: number, fn: () => void): void {
  outstanding += 1;
  const run = (): void => {
    outstanding -= 1;
    guarded('continuation', fn);
  };
  if (rng.chance(0.7)) {
    setTimeout(run, ms);
    return;
  }
  let turns = rng.int(1, 8);
  const turn = (): void => {
    turns -= 1;
    if (turns > 0) immediate(turn);
    else if (ms > 0) setTimeout(run, ms);
    else run();
  };
  immediate(turn);
}

// ---------------------------------------------------------------------------------------------
// Tasks: each makes one or more calls and arranges every observation of them

type Task = (reactor: SoakReactor, context: Context, others: readonly SoakReactor[]) => void;

const singleBlocking: Task = (reactor, context) => {
  blockingCall(reactor, context);
};

/** Many short calls in a row: timeouts of 0-5 ms, stale replies, volume. */
const burst: Task = (reactor, context) => {
  const n = Math.min(rng.int(20, 150), callsLeft());
  for (let i = 0; i < n; i += 1) {
    const spec = makeSpec(rng.pick([0, 0, 0, 1, 2]));
    if (rng.chance(0.7)) {
      blockingCall(reactor, context, spec, rng.pick([0, 1, 2, 5, 1000]));
    } else {
      const call = eventualCall(reactor, context, spec);
      waitOn(call, rng.pick([0, 1, 5, 1000]));
      finalWait(call);
    }
  }
};

/** An eventual result waited on at once; after a wait timeout, waited again now or later. */
const eventualNow: Task = (reactor, context) => {
  const call = eventualCall(reactor, context);
  const outcome = waitOn(call, pickTimeout(call.spec.ms));
  if (outcome?.kind === 'TimeoutError') {
    if (rng.chance(0.5)) finalWait(call);
    else later(rng.int(0, 300), () => finalWait(call));
  } else if (rng.chance(0.2)) {
    later(rng.int(0, 50), () => cancelCall(call));
  }
};

/** An eventual result waited on long after the call. */
const eventualLater: Task = (reactor, context) => {
  const call = eventualCall(reactor, context);
  later(rng.int(0, 300), () => {
    waitOn(call, pickTimeout(Math.max(0, call.spec.ms - (monotonicMs() - call.startedAt))));
    finalWait(call);
  });
};

/** cancel() at a random point, then waits now, later, or while blocked in a wait. */
const cancelTask: Task = (reactor, context) => {
  const call = eventualCall(reactor, context);
  const mode = rng.pick(['sync', 'timer', 'immediate', 'blocked'] as const);
  const waitAfter = (): void => {
    if (rng.chance(0.5)) {
      waitOn(call, rng.pick([0, 10, 1000]));
      finalWait(call);
    } else {
      later(rng.int(0, 300), () => finalWait(call));
    }
  };
  switch (mode) {
    case 'sync':
      cancelCall(call);
      waitAfter();
      return;
    case 'timer':
      later(rng.int(0, 300), () => {
        cancelCall(call);
        waitAfter();
      });
      return;
    case 'immediate':
      outstanding += 1;
      immediate(() => {
        outstanding -= 1;
        guarded('cancel', () => {
          cancelCall(call);
          waitAfter();
        });
      });
      return;
    case 'blocked':
      later(rng.int(0, 300), () => cancelCall(call));
      waitOn(call, 5000, 'blocked wait');
      finalWait(call);
      return;
  }
};

/** A stashed result, retrieved and waited on later. */
function stashLater(call: Call): void {
  const result = call.result;
  if (result === undefined) return;
  const id = result.stash();
  call.result = undefined;
  later(rng.int(0, 300), () => {
    const back = retrieveResult<SoakValue>(id);
    if (back !== result) call.problems.push(`retrieveResult(${id}) gave another result`);
    call.result = back;
    try {
      retrieveResult(id);
      call.problems.push(`retrieveResult(${id}) worked twice`);
    } catch (error) {
      if (!(error instanceof RangeError))
        call.problems.push(`second retrieveResult: ${describe(error)}`);
    }
    waitOn(call, pickTimeout(call.spec.ms));
    finalWait(call);
  });
}

/** Several eventual results outstanding at once, each observed its own way. */
const batch: Task = (reactor, context) => {
  const n = Math.min(rng.int(2, 16), callsLeft());
  const made: Call[] = [];
  for (let i = 0; i < n; i += 1) made.push(eventualCall(reactor, context));
  const now: Call[] = [];
  for (const call of made) {
    switch (rng.pick(['now', 'now', 'later', 'cancel', 'cancel-later', 'stash'] as const)) {
      case 'now':
        now.push(call);
        break;
      case 'later':
        later(rng.int(0, 300), () => {
          waitOn(call, pickTimeout(call.spec.ms));
          finalWait(call);
        });
        break;
      case 'cancel':
        cancelCall(call);
        now.push(call);
        break;
      case 'cancel-later':
        later(rng.int(0, 300), () => {
          cancelCall(call);
          finalWait(call);
        });
        break;
      case 'stash':
        stashLater(call);
        break;
    }
  }
  for (const call of rng.shuffle(now)) {
    waitOn(call, pickTimeout(call.spec.ms));
    if (rng.chance(0.5)) finalWait(call);
    else later(rng.int(0, 300), () => finalWait(call));
  }
};

/** A long blocking call while timers fire and make calls of their own inside its wait. */
const nested: Task = (reactor, context, others) => {
  for (let i = rng.int(1, 3); i > 0; i -= 1) {
    const other = rng.pick(others);
    later(rng.int(0, 150), () => {
      if (rng.chance(0.6)) blockingCall(other, 'later', makeSpec(rng.int(0, 20)));
      else {
        const call = eventualCall(other, 'later', makeSpec(rng.int(0, 20)));
        waitOn(call, 1000);
        finalWait(call);
      }
    });
  }
  const spec = makeSpec(rng.int(150, 301));
  blockingCall(reactor, context, spec, rng.chance(0.7) ? spec.ms + 300 : pickTimeout(spec.ms));
};

const TASKS: readonly [Task, number][] = [
  [singleBlocking, 25],
  [burst, 12],
  [eventualNow, 15],
  [eventualLater, 12],
  [cancelTask, 15],
  [batch, 10],
  [nested, 4],
];
const TASK_WEIGHT = TASKS.reduce((sum, [, w]) => sum + w, 0);

function pickTask(): Task {
  let r = rng.next() * TASK_WEIGHT;
  for (const [task, weight] of TASKS) {
    r -= weight;
    if (r < 0) return task;
  }
  return singleBlocking;
}

// ---------------------------------------------------------------------------------------------
// Phases

interface PhaseReport {
  readonly name: string;
  readonly calls: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

const phaseReports: PhaseReport[] = [];

function measurePhase(name: string): () => void {
  const wall = monotonicMs();
  const cpu = process.cpuUsage();
  const before = calls.length;
  return () => {
    const used = process.cpuUsage(cpu);
    phaseReports.push({
      name,
      calls: calls.length - before,
      wallMs: monotonicMs() - wall,
      cpuMs: (used.user + used.system) / 1000,
    });
  };
}

function runTask(reactors: readonly SoakReactor[], context: Context): void {
  const usable = context === 'microtask' ? reactors.filter((r) => r.inMicrotasks) : reactors;
  const reactor = rng.pick(usable);
  guarded('task', () => pickTask()(reactor, context, usable));
}

/** Calls back once no continuation is outstanding. */
function whenIdle(then: () => void): void {
  if (outstanding === 0) immediate(then);
  else setTimeout(() => whenIdle(then), 2);
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/**
 * Runs tasks from timer, setImmediate and (if every reactor allows it) promise callbacks until
 * the phase's time or call budget is used, then waits for its continuations.
 */
function runPhase(
  name: string,
  reactors: readonly SoakReactor[],
  share: number,
  done: () => void,
): void {
  const finish = measurePhase(name);
  const deadline = monotonicMs() + share * options.seconds * 1000;
  callLimit =
    options.calls === undefined ? Infinity : calls.length + Math.ceil(share * options.calls);
  const microtasks = reactors.every((r) => r.inMicrotasks);
  let lastGc = monotonicMs();
  let lastWasMicrotask = false;
  const next = (): void => {
    const now = monotonicMs();
    if ((options.calls === undefined && now >= deadline) || calls.length >= callLimit) {
      whenIdle(() => {
        finish();
        done();
      });
      return;
    }
    if (collectGarbage !== undefined && now - lastGc > 1000) {
      lastGc = now;
      collectGarbage();
    }
    if (outstanding > 0 && rng.chance(0.3)) {
      // Leave the loop free until the continuations ran: they then run unnested.
      whenIdle(next);
      return;
    }
    const r = rng.next();
    if (microtasks && !lastWasMicrotask && r < 0.2) {
      lastWasMicrotask = true;
      void Promise.resolve().then(() => {
        runTask(reactors, 'microtask');
        next();
      });
      return;
    }
    lastWasMicrotask = false;
    if (r < 0.6) {
      setTimeout(
        () => {
          runTask(reactors, 'timer');
          next();
        },
        rng.int(0, 3),
      );
    } else {
      immediate(() => {
        runTask(reactors, 'immediate');
        next();
      });
    }
  };
  next();
}

// ---------------------------------------------------------------------------------------------
// The stop

/** Marks every unfinished call of `reactor` as pending at the stop, with what its body had done. */
function snapshotAtStop(reactor: SoakReactor): void {
  const at = monotonicMs();
  for (const call of calls) {
    if (call.reactor !== reactor || call.final !== undefined || call.stop !== undefined) continue;
    if (call.cancel !== undefined) continue;
    const status = reactor.board.read(call.id);
    call.stop = {
      at,
      doneBefore: status === undefined ? undefined : status.done && !status.aborted,
      startedBefore: status?.started,
    };
  }
}

interface StopReport {
  pending: number;
  refused: number;
  stopped: boolean;
}

const stopReport: StopReport = { pending: 0, refused: 0, stopped: false };

/**
 * With eventual calls pending on both reactors (some already settled, one stashed), a blocking
 * in-thread call runs; inside it a timer makes a blocking reactor-thread call, and while that one
 * waits, another timer calls reactor.stop(). Every pending call must end with ReactorStopped
 * (the settled ones keep their outcome), and every call after the stop must throw it at once.
 */
function stopPhase(inThread: SoakReactor, thread: SoakReactor, done: () => void): void {
  const finish = measurePhase('stop');
  const reactors = [inThread, thread];
  const settled: [Call, EventualResult<SoakValue>][] = [];
  const pending: Call[] = [];
  const stashed: [Call, number][] = [];
  for (const r of reactors) {
    for (let i = 0; i < 2; i += 1) {
      const call = eventualCall(r, 'timer', makeSpec(rng.pick([0, 1, 5])));
      const result = call.result as EventualResult<SoakValue>;
      finalWait(call);
      settled.push([call, result]);
    }
    for (let i = 0; i < 4; i += 1) {
      pending.push(eventualCall(r, 'timer', makeSpec(rng.int(1500, 2500))));
    }
    const toStash = eventualCall(r, 'timer', makeSpec(rng.int(1500, 2500)));
    const result = toStash.result as EventualResult<SoakValue>;
    stashed.push([toStash, result.stash()]);
    toStash.result = undefined;
  }
  let stopping: Promise<void> | undefined;
  outstanding += 2;
  setTimeout(() => {
    outstanding -= 1;
    guarded('stop: thread call', () => {
      blockingCall(thread, 'later', makeSpec(2500), 5000, true);
    });
  }, 30);
  setTimeout(() => {
    outstanding -= 1;
    stopping = reactor.stop();
  }, 60);
  blockingCall(inThread, 'timer', makeSpec(2500), 5000, true);
  if (stopping === undefined) {
    soakProblems.push('stop: reactor.stop() did not run while the calls were pending');
    stopping = reactor.stop();
  }
  for (const call of pending) finalWait(call);
  // A settled result keeps its outcome after the stop.
  for (const [call, result] of settled) {
    call.result = result;
    waitOn(call, 0, 'wait after the stop');
  }
  for (const [call, id] of stashed) {
    call.result = retrieveResult<SoakValue>(id);
    finalWait(call);
  }
  stopReport.pending = calls.filter((c) => c.stop !== undefined).length;
  // After the stop every kind of call throws ReactorStopped at once.
  for (const r of reactors) {
    for (let i = 0; i < 3; i += 1) {
      const spec = makeSpec(0);
      const variant = r.blocking(spec, rng.pick(TIMEOUT_GRID));
      const call = register(r, 'blocking', variant.api, spec, 'timer');
      call.afterStop = true;
      observe(call, 'call', variant.timeoutMs, variant.invoke);
    }
    for (let i = 0; i < 2; i += 1) {
      const spec = makeSpec(0);
      const variant = r.eventual(spec);
      const call = register(r, 'eventual', variant.api, spec, 'timer');
      call.afterStop = true;
      observe(call, 'call', 0, variant.invoke);
    }
  }
  const load = register(thread, 'blocking', 'reactorThread.load()', makeSpec(0), 'timer');
  load.afterStop = true;
  observe(load, 'call', 0, () => reactorThread.load(require.resolve('./soak-service')));
  stopReport.refused = calls.filter((c) => c.afterStop).length;
  void stopping.then(
    () => {
      stopReport.stopped = reactor.state === 'stopped';
      whenIdle(() => {
        finish();
        done();
      });
    },
    (error: unknown) => {
      soakProblems.push(`reactor.stop() failed: ${describe(error)}`);
      finish();
      done();
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Final checks and the report

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    `p50 ${fmt(percentile(sorted, 0.5))}, p90 ${fmt(percentile(sorted, 0.9))}, ` +
    `max ${fmt(sorted[sorted.length - 1] ?? Number.NaN)} (n=${sorted.length})`
  );
}

/** Checks that need the whole run: call order, bodies of cancelled calls, every call ended. */
function finalChecks(reactors: readonly SoakReactor[]): void {
  for (const r of reactors) {
    let lastSeq = 0;
    let lastId = 0;
    for (const call of calls) {
      if (call.reactor !== r) continue;
      const status = r.board.read(call.id);
      if (status === undefined || !status.started) continue;
      if (status.seq < lastSeq) {
        call.problems.push(
          `body started out of call order (start #${status.seq} after #${lastSeq} of call ${lastId})`,
        );
      }
      lastSeq = status.seq;
      lastId = call.id;
      // A body whose call was cancelled (or refused) before it started never runs.
      if (r.name === 'in-thread' && call.cancel?.startedBefore === false) {
        call.problems.push('body ran although cancel() came before it started');
      }
      if (call.afterStop) call.problems.push('body ran although the call came after the stop');
    }
  }
  for (const call of calls) {
    if (call.final === undefined) call.problems.push('did not end');
  }
}

interface LoggedReport {
  readonly message: string;
  readonly error: unknown;
}
const reports: LoggedReport[] = [];

function reportSummary(): string {
  const byKind = new Map<string, number>();
  const firstMessage = new Map<string, string>();
  for (const { message, error } of reports) {
    let key = 'other';
    if (error instanceof SoakFailure) {
      const call = callsById.get(error.callId);
      key = `${call?.reactor.name ?? '?'} call ended ${call?.final?.kind ?? 'never'}`;
      if (call?.final?.kind === 'error') {
        call.problems.push(`its observed failure was reported as unobserved: ${message}`);
      }
    } else {
      key = `${describe(error).slice(0, 60)}`;
    }
    byKind.set(key, (byKind.get(key) ?? 0) + 1);
    if (!firstMessage.has(key)) firstMessage.set(key, `${message} ${describe(error)}`);
  }
  const lines = [`reports to the logger: ${reports.length}`];
  for (const [key, n] of byKind) {
    lines.push(
      `  ${n} × ${key}, e.g. ${(firstMessage.get(key) ?? '').replace(/\s+/g, ' ').slice(0, 150)}`,
    );
  }
  return lines.join('\n');
}

function printSummary(reactors: readonly SoakReactor[]): number {
  const reportLine = reportSummary();
  finalChecks(reactors);
  const out: string[] = [];
  for (const p of phaseReports) {
    out.push(
      `phase ${p.name}: ${p.calls} calls, ${(p.wallMs / 1000).toFixed(1)} s wall, ` +
        `cpu ${(p.cpuMs / 1000).toFixed(2)} s (${((100 * p.cpuMs) / p.wallMs).toFixed(0)}%)`,
    );
  }
  for (const r of reactors) {
    const s = r.stats;
    const wrong = calls.filter((c) => c.reactor === r && c.problems.length > 0);
    const contexts = CONTEXTS.map((c) => `${c} ${s.contexts[c]}`).join(', ');
    const outcomes = OUTCOME_KINDS.map((k) => `${k} ${s.outcomes[k]}`).join(', ');
    const own = phaseReports.find((p) => p.name === r.name);
    out.push(
      `${r.name} reactor: ${s.calls} calls (${s.blocking} blocking, ${s.eventual} eventual; ${contexts})`,
    );
    out.push(`  outcomes: ${outcomes}; wait() timeouts before the outcome: ${s.waitTimeouts}`);
    out.push(`  wrong: ${wrong.length}`);
    for (const call of wrong.slice(0, 5)) {
      const { spec } = call;
      out.push(
        `    #${call.id} ${call.kind} ${call.api} from ${call.context}, body ${spec.ms} ms ` +
          `${spec.fail ? 'failing' : 'succeeding'} ${spec.shape}${spec.honour ? ' honouring' : ''}` +
          `${call.cancel ? `, cancelled at +${fmt(call.cancel.at - call.startedAt)} (done: ${String(call.cancel.doneBefore)})` : ''}` +
          `${call.stop ? `, pending at stop (done: ${String(call.stop.doneBefore)})` : ''}`,
      );
      for (const line of call.log) out.push(`      ${line}`);
      for (const problem of call.problems) out.push(`      WRONG: ${problem}`);
    }
    out.push(`  latency over body length, right blocking calls: ${spread(s.latency)}`);
    out.push(`  TimeoutError after its deadline: ${spread(s.timeoutLate)}`);
    if (own !== undefined) {
      out.push(
        `  cpu in its own phase: ${(own.cpuMs / 1000).toFixed(2)} s over ${(own.wallMs / 1000).toFixed(1)} s wall ` +
          `(${((100 * own.cpuMs) / own.wallMs).toFixed(0)}%)`,
      );
    }
  }
  out.push(
    `stop: ${stopReport.pending} calls pending at the stop, ${stopReport.refused} calls after it; ` +
      `reactor state ${reactor.state}`,
  );
  out.push(reportLine);
  for (const problem of soakProblems.slice(0, 5)) out.push(`SOAK PROBLEM: ${problem}`);
  const failed = calls.filter((c) => c.problems.length > 0).length + soakProblems.length;
  const passed = calls.length - calls.filter((c) => c.problems.length > 0).length;
  out.push(`soak: ${passed} passed, ${failed} failed`);
  process.stdout.write(`${out.join('\n')}\n`);
  return failed;
}

// ---------------------------------------------------------------------------------------------
// Main

function main(): void {
  const reactorsStarted = measurePhase('setup');
  // Our own shutdown hooks record what each call's body had done when the stop reached it: the
  // reactor thread's callers are failed in the thread's hook (a `last` hook, added by its first
  // load()), the in-thread calls right after the last 'before' hook: ours, also `last` and added
  // after the load, so it runs after the thread's (whose orderly stop takes a while, during
  // which in-thread bodies may still finish with their own outcome).
  const holder: { thread?: SoakReactor } = {};
  reactor.addShutdownHook('before', () => holder.thread && snapshotAtStop(holder.thread), {
    name: 'soak: reactor-thread calls at the stop',
  });
  setup({
    logger: {
      error: (message: string, error?: unknown) => {
        reports.push({ message, error });
      },
    },
  });
  const inThread = inThreadReactor();
  const thread = threadReactor();
  holder.thread = thread;
  reactor.addShutdownHook('before', () => snapshotAtStop(inThread), {
    name: 'soak: in-thread calls at the stop',
    last: true,
  });
  reactorsStarted();
  const both = [inThread, thread];
  const budget = options.calls === undefined ? `${options.seconds} s` : `${options.calls} calls`;
  process.stdout.write(
    `soak: seed ${options.seed}, budget ${budget}, band ±${BAND} ms, late limit ${options.late} ms, ` +
      `node ${process.version}${collectGarbage === undefined ? ', no --expose-gc' : ''}` +
      `${options.immediateBatches ? ', plain setImmediate batches' : ''}\n`,
  );

  const totalMs =
    options.watchdog !== undefined
      ? options.watchdog * 1000
      : (options.calls === undefined ? options.seconds : 600) * 2000 + 60_000;
  // Written synchronously: both are followed by the process's end.
  const printOpen = (why: string): void => {
    const open = calls.filter((c) => c.final === undefined);
    const lines = [`soak: ${why}; ${open.length} calls open`];
    for (const call of open.slice(0, 10)) {
      lines.push(`  #${call.id} ${call.reactor.name} ${call.api}: ${call.log.join(' | ')}`);
    }
    lines.push(`soak: ${calls.length - open.length} passed, ${open.length + 1} failed`);
    fs.writeSync(1, `${lines.join('\n')}\n`);
  };
  const watchdog = setTimeout(() => {
    printOpen(`still running after ${totalMs / 1000} s`);
    process.exit(1);
  }, totalMs);
  watchdog.unref();
  // A run that does not end is sent SIGTERM (spec/soak.spec.ts): crochet's listener stops the
  // reactor and ends the process; this one says first which calls were open. Prepended, so that
  // it runs first; a blocked main-thread caller runs it from its signal check.
  process.prependListener('SIGTERM', () => printOpen('SIGTERM'));

  // The top level: tasks of both reactors, straight from this module's synchronous code.
  const finishTop = measurePhase('top-level');
  const topUntil = monotonicMs() + 0.05 * options.seconds * 1000;
  callLimit = options.calls === undefined ? Infinity : Math.ceil(0.05 * options.calls);
  while ((options.calls !== undefined || monotonicMs() < topUntil) && calls.length < callLimit) {
    runTask(both, 'top');
  }
  finishTop();

  const phases: [string, readonly SoakReactor[], number][] = [
    ['in-thread', [inThread], 0.38],
    ['thread', [thread], 0.38],
    ['mixed', both, 0.19],
  ];
  const runFrom = (index: number): void => {
    const phase = phases[index];
    if (phase === undefined) {
      stopPhase(inThread, thread, () => {
        const failed = printSummary(both);
        process.exitCode = failed > 0 ? 1 : 0;
        // Nothing of ours is left to keep the process alive: it must end by itself.
        const exitCheck = setTimeout(() => {
          process.stdout.write('soak: the process did not end by itself within 20 s\n');
          process.exit(1);
        }, 20_000);
        exitCheck.unref();
      });
      return;
    }
    whenIdle(() => runPhase(phase[0], phase[1], phase[2], () => runFrom(index + 1)));
  };
  runFrom(0);
}

main();
