/**
 * `npm run bench:floor`: what an in-thread blocking call that gives its body a call context
 * cannot avoid, step by step, for body (a) of call-cost (an async body that is already resolved).
 *
 * `currentSignal()` must work in the body and after its awaits, so every call enters a context of
 * its own (AsyncLocalStorage) before the body runs and gives the caller its own back afterwards.
 * Raw deasync does neither. The steps are measured one by one in one process, with the caller in
 * no context at all and then inside an application's own AsyncLocalStorage context (a request id,
 * say): with async context frames (Node.js 24+) entering a context copies the caller's frame, and
 * a frame that is not empty costs more to copy.
 *
 * The floor row is raw deasync of a body started inside `runInCallContext` with a new Operation as
 * its context (exactly as a call starts it): the least any such call can cost. `@waitFor` adds
 * the wrapper and its bookkeeping (the outcome, pending-call registration, the checks of the
 * blocking loop) to it.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { setup, waitFor } from '../lib';
import {
  callContextMechanism,
  callStorage,
  runInCallContext,
  type CallContext,
} from '../lib/core/call-context';
import { Operation, type OperationOwner } from '../lib/core/operation';
import { formatNs, measure, printTable } from './measure';

const deasync = createRequire(__filename)('deasync') as { loopWhile(pred: () => boolean): void };
const drain = (process as unknown as { _tickCallback(): void })._tickCallback;

async function resolvedBody(x: number): Promise<number> {
  return x + 1;
}

/** As in call-cost: what a user of deasync alone writes. */
function rawDeasync<T>(promise: Promise<T>): T {
  let done = false;
  let value: T | undefined;
  void promise.then((v) => {
    value = v;
    done = true;
  });
  deasync.loopWhile(() => !done);
  return value as T;
}

const host: OperationOwner = { operationSettled: () => undefined, report: () => undefined };
const context: CallContext = {
  kind: 'waitFor',
  signal: new AbortController().signal,
  inMethod: false,
};
const noop = (): void => undefined;
const startBody = (_context: CallContext, x: number): Promise<number> => resolvedBody(x);
const enter = (): void => callStorage.enterWith(context);

class Service {
  @waitFor(1_000)
  resolved(x: number): Promise<number> {
    return resolvedBody(x);
  }
}

interface Step {
  readonly label: string;
  readonly op: () => unknown;
  /** Subtracted from this step's time (the part measured by another step). */
  readonly minus?: string;
}

/** The steps, built in the context they are measured in (the scope captures it). */
function steps(): Step[] {
  const service = new Service() as unknown as { resolved(x: number): number };
  const scope = new AsyncResource('CROCHET_BENCH');
  const common: Step[] = [
    { label: RAW_FIRST, op: () => rawDeasync(resolvedBody(1)) },
    { label: 'microtask drain, nothing queued', op: drain },
    { label: 'new Operation', op: () => new Operation(host, 'waitFor') },
  ];
  const contextSteps: Step[] =
    callContextMechanism === 'frames'
      ? [
          {
            label: "capture the caller's context: new AsyncResource",
            op: () => new AsyncResource('X'),
          },
          {
            label: 'a scope that gives it back: runInAsyncScope',
            op: () => scope.runInAsyncScope(noop),
          },
          {
            label: "enter the call's context: one frame (enterWith)",
            op: () => scope.runInAsyncScope(enter),
            minus: 'a scope that gives it back: runInAsyncScope',
          },
        ]
      : [
          {
            label: "enter and leave the call's context: run()",
            op: () => callStorage.run(context, noop),
          },
        ];
  return [
    ...common,
    ...contextSteps,
    {
      label: 'runInCallContext, empty body (the context steps together)',
      op: () => runInCallContext(context, noop, 0, 0, 0),
    },
    {
      label: FLOOR,
      // A context object of its own per call (its own signal): the Operation is that object.
      op: () => rawDeasync(runInCallContext(new Operation(host, 'waitFor'), startBody, 1, 0, 0)),
    },
    { label: OURS, op: () => service.resolved(1) },
    { label: RAW_AFTER, op: () => rawDeasync(resolvedBody(1)) },
  ];
}

const RAW_FIRST = 'raw deasync, body (a), measured first';
const FLOOR = 'floor: raw deasync of a body started in a call context';
const OURS = '@waitFor, body (a)';
const RAW_AFTER = 'raw deasync, body (a), measured last (same process)';

function measureAll(): { list: Step[]; times: Map<string, number> } {
  const list = steps();
  const times = new Map<string, number>();
  for (const step of list) {
    // Three runs of 15 batches each; the median run.
    const runs = [0, 1, 2].map(() => measure(step.op, 50_000).nsPerOp).sort((x, y) => x - y);
    times.set(step.label, runs[1] ?? Number.NaN);
  }
  return { list, times };
}

function main(): void {
  const cpus = os.availableParallelism();
  const load = os.loadavg();
  setup();
  setTimeout(() => {
    const { list, times: plain } = measureAll();
    const app = new AsyncLocalStorage<{ requestId: number }>();
    const { times: inApp } = app.run({ requestId: 1 }, () => measureAll());
    console.log(
      `Node ${process.version} (${process.platform}-${process.arch}); call context: ${
        callContextMechanism === 'frames' ? 'async context frames' : 'async_hooks'
      }; ${cpus} CPUs, load average ${load.map((l) => l.toFixed(2)).join(' / ')}`,
    );
    console.log('Per call, median of 3 runs of 15 batches.');
    const cell = (times: Map<string, number>, step: Step): string => {
      const own = times.get(step.label) ?? Number.NaN;
      const minus = step.minus === undefined ? 0 : (times.get(step.minus) ?? 0);
      return `${((own - minus) / 1000).toFixed(3)} µs`;
    };
    printTable(
      ['step', 'caller in no context', "caller in an app's context"],
      list.map((step) => [step.label, cell(plain, step), cell(inApp, step)]),
    );
    // Against raw deasync in the same conditions: under async_hooks (Node.js 20, 22) the first
    // context turns on promise hooks, which every later promise pays for, raw deasync's too.
    const ratios = (times: Map<string, number>): string => {
      const raw = times.get(RAW_AFTER) ?? Number.NaN;
      const floor = times.get(FLOOR) ?? Number.NaN;
      const ours = times.get(OURS) ?? Number.NaN;
      return (
        `floor / raw ${(floor / raw).toFixed(2)}x, @waitFor / raw ${(ours / raw).toFixed(2)}x,` +
        ` @waitFor - floor ${formatNs(ours - floor)}`
      );
    };
    console.log(`caller in no context:        ${ratios(plain)}`);
    console.log(`caller in an app's context:  ${ratios(inApp)}`);
  }, 0);
}

main();
