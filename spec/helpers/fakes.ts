/**
 * Fakes and small tools shared by the reactor specs: a recording logger, a fake process
 * integration, a controller built from them, and helpers that run code from a real macrotask
 * (the only context where blocking is allowed) or let garbage collection and its finalizers run.
 */
import { createDecorators } from '../../lib/declare/decorators';
import type { Logger } from '../../lib/core/logger';
import type { ProcessHandlers, ProcessIntegration } from '../../lib/core/process-integration';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { cpuNow } from './timing';

export interface LoggedError {
  readonly message: string;
  readonly error: unknown;
}

/** A logger that records every report. */
export class FakeLogger implements Logger {
  readonly entries: LoggedError[] = [];
  error(message: string, error?: unknown): void {
    this.entries.push({ message, error });
  }
  get messages(): string[] {
    return this.entries.map((entry) => entry.message);
  }
}

/** A process integration that records what the controller installs and asks for. */
export class FakeProcess implements ProcessIntegration {
  handlers: ProcessHandlers | undefined;
  installs = 0;
  removals = 0;
  readonly exits: number[] = [];
  readonly uncaughtHandlers = new Set<(error: unknown) => void>();

  install(handlers: ProcessHandlers): () => void {
    this.installs += 1;
    this.handlers = handlers;
    return () => {
      this.removals += 1;
      this.handlers = undefined;
    };
  }

  catchUncaught(handler: (error: unknown) => void): () => void {
    this.uncaughtHandlers.add(handler);
    return () => this.uncaughtHandlers.delete(handler);
  }

  exit(code: number): void {
    this.exits.push(code);
  }
}

export interface TestReactor {
  readonly controller: ReactorController;
  readonly logger: FakeLogger;
  readonly process: FakeProcess;
  readonly waitFor: ReturnType<typeof createDecorators>['waitFor'];
  readonly runInReactor: ReturnType<typeof createDecorators>['runInReactor'];
}

/** A fresh controller with the real pump, a fake logger and a fake process; not started. */
export function makeReactor(): TestReactor {
  const logger = new FakeLogger();
  const fakeProcess = new FakeProcess();
  const controller = new ReactorController({
    ...defaultCollaborators(),
    logger,
    process: fakeProcess,
  });
  const { waitFor, runInReactor } = createDecorators(controller);
  return { controller, logger, process: fakeProcess, waitFor, runInReactor };
}

/** A fresh controller, already running (noSetup()). */
export function runningReactor(): TestReactor {
  const test = makeReactor();
  test.controller.noSetup();
  return test;
}

/**
 * A mocha callback that runs `body` from a fresh macrotask (setImmediate): synchronous context,
 * whatever mocha's own call chain was. `body` may block.
 */
export function fromMacrotask(body: () => void): (done: Mocha.Done) => void {
  return (done) => {
    setImmediate(() => {
      try {
        body();
      } catch (error) {
        done(error);
        return;
      }
      done();
    });
  };
}

// Captured at load: inMacrotask() works under sinon's fake timers too.
const realSetImmediate = setImmediate;

/**
 * Runs `body` from a fresh macrotask (a real setImmediate, even under fake timers), where it may
 * block, and resolves with what it returned (rejects with what it threw): lets an async spec
 * measure something first.
 */
export function inMacrotask<T>(body: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    realSetImmediate(() => {
      try {
        resolve(body());
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** Resolves after `ms` with `value`, on a ref'd timer. */
export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** Lets the loop turn `n` times (setImmediate), so that finalizers and I/O callbacks run. */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('these specs need node --expose-gc');
  gc();
}

/** Runs garbage collection and lets FinalizationRegistry callbacks run, `rounds` times. */
export async function gcRounds(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    collectGarbage();
    await turns(3);
  }
}

/** Collects garbage until `done()` is true (or gives up after `maxRounds`); returns done(). */
export async function gcUntil(done: () => boolean, maxRounds = 20): Promise<boolean> {
  for (let i = 0; i < maxRounds && !done(); i += 1) {
    collectGarbage();
    await turns(3);
  }
  return done();
}

/** Runs `fn` and returns what it threw (fails if it returned). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/**
 * CPU time used while `fn` ran, in ms (by this thread alone where the platform says: see
 * timing.ts), and the wall-clock time.
 */
export function measure<T>(fn: () => T): { result: T; cpuMs: number; elapsedMs: number } {
  const cpu = cpuNow();
  const start = performance.now();
  const result = fn();
  const elapsedMs = performance.now() - start;
  return { result, cpuMs: cpuNow() - cpu, elapsedMs };
}
