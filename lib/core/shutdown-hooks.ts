/**
 * Shutdown hooks in three phases, as in Twisted: 'before' (release what blocks, e.g. fire or
 * cancel what callers wait on), then the controller fails every pending call with
 * ReactorStopped, then 'during' (close pools, servers), then 'after'. Hooks of a phase run one
 * after another in the order they were added. A hook that throws is reported and the rest still
 * run; a hook that does not finish within its limit is reported by name and skipped, so shutdown
 * never hangs.
 */
import { clearRealTimeout, setRealTimeout } from './clock';
import type { Report } from './logger';
import { messages } from '../messages';
import { checkTimeout } from '../declare/timeout-arg';

/**
 * A phase of shutdown: `'before'` (blocked callers are still waiting: release what they wait
 * on; reactor threads and hosted services stop last in it), then every pending call fails with
 * ReactorStopped, then `'during'` (close pools, servers), then `'after'`.
 */
export type ShutdownPhase = 'before' | 'during' | 'after';

/** Options of `reactor.addShutdownHook()`. */
export interface ShutdownHookOptions {
  /** Shown in reports; defaults to the function's name, or '<phase> hook #n'. */
  name?: string;
  /** How long the hook may take before it is skipped; defaults to the controller's limit. */
  timeoutMs?: number;
  /**
   * Run after the phase's other hooks, whatever the order they were added in. Reactor threads
   * stop this way in 'before', so that the application's 'before' hooks can still call them.
   */
  last?: boolean;
}

/**
 * A shutdown hook: called with no arguments; a returned promise (or thenable) is awaited up to the
 * hook's limit.
 *
 * Context: called on the reactor's thread, by `stop()` (each hook once the previous one has
 * finished), or synchronously while the process exits.
 */
export type ShutdownHook = () => unknown;

interface Registered {
  readonly name: string;
  readonly hook: ShutdownHook;
  readonly timeoutMs: number | undefined;
  readonly last: boolean;
}

const PHASES: readonly ShutdownPhase[] = ['before', 'during', 'after'];

export class ShutdownHooks {
  private readonly phases = new Map<ShutdownPhase, Registered[]>(PHASES.map((p) => [p, []]));
  private added = 0;

  add(phase: ShutdownPhase, hook: ShutdownHook, options: ShutdownHookOptions = {}): () => void {
    const list = this.phases.get(phase);
    if (list === undefined) throw new TypeError(messages.badHookPhase(phase));
    if (typeof hook !== 'function') {
      throw new TypeError(messages.notAFunction(hook, 'reactor.addShutdownHook()'));
    }
    const timeoutMs =
      options.timeoutMs === undefined
        ? undefined
        : checkTimeout(options.timeoutMs, 'reactor.addShutdownHook() option timeoutMs');
    this.added += 1;
    const entry: Registered = {
      name: options.name ?? (hook.name || `${phase} hook #${this.added}`),
      hook,
      timeoutMs,
      last: options.last === true,
    };
    list.push(entry);
    return () => {
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /** A phase's hooks as they run: in the order added, those marked `last` after the others. */
  private inOrder(phase: ShutdownPhase): Registered[] {
    const list = this.phases.get(phase) ?? [];
    return [...list.filter((entry) => !entry.last), ...list.filter((entry) => entry.last)];
  }

  clear(): void {
    for (const list of this.phases.values()) list.length = 0;
  }

  /** Runs one phase to the end. Context: the reactor thread, from async code. */
  async run(phase: ShutdownPhase, defaultTimeoutMs: number, report: Report): Promise<void> {
    for (const entry of this.inOrder(phase)) {
      await runOne(entry, phase, entry.timeoutMs ?? defaultTimeoutMs, report);
    }
  }

  /**
   * For a process that is exiting right now: calls each hook of the phase; an async hook gets no
   * chance to finish, since the process ends as soon as this returns.
   */
  runSynchronously(phase: ShutdownPhase, report: Report): void {
    for (const entry of this.inOrder(phase)) {
      try {
        const result = entry.hook();
        if (result instanceof Promise) {
          result.catch((error: unknown) => report(messages.hookFailed(entry.name, phase), error));
        }
      } catch (error) {
        report(messages.hookFailed(entry.name, phase), error);
      }
    }
  }
}

function runOne(entry: Registered, phase: ShutdownPhase, limitMs: number, report: Report) {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (problem?: { message: string; error?: unknown }): void => {
      if (done) return;
      done = true;
      clearRealTimeout(timer);
      resolve();
      if (problem) report(problem.message, problem.error);
    };
    // Ref'd on purpose: the process must stay up long enough to report a hung hook.
    // Real time (clock.ts): a test's fake timers must not stop a hung hook from being cut off.
    const timer = setRealTimeout(
      () => finish({ message: messages.hookTimedOut(entry.name, phase, limitMs) }),
      limitMs,
    );
    try {
      Promise.resolve(entry.hook()).then(
        () => finish(),
        (error: unknown) => finish({ message: messages.hookFailed(entry.name, phase), error }),
      );
    } catch (error) {
      finish({ message: messages.hookFailed(entry.name, phase), error });
    }
  });
}
