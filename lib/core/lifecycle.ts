/**
 * The life of one reactor: `'idle'`, `'running'`, `'stopping'`, `'stopped'`; who manages it
 * (`setup()`: crochet, with process handlers; `noSetup()`: the application); its shutdown hooks;
 * and the two ways it ends: the orderly shutdown (`stop()`, a signal, the end of the program)
 * and the synchronous one when the process exits without it.
 *
 * Context: the thread that owns the reactor. Its controller (reactor.ts) is the only user, and
 * hands it what a shutdown does to the controller's calls (`ShutdownCalls`).
 */
import { CrochetError, ReactorStopped } from '../errors';
import { messages } from '../messages';
import { setRealImmediate } from './clock';
import type { ReactorState } from './collaborators';
import type { Report } from './logger';
import type { ProcessIntegration, ShutdownSignal } from './process-integration';
import { ShutdownHooks } from './shutdown-hooks';
import { checkTimeout } from '../declare/timeout-arg';

const EXIT_CODES: Record<ShutdownSignal, number> = { SIGINT: 130, SIGTERM: 143 };
/** A shutdown hook's limit when neither its options nor `setup({ hookTimeoutMs })` give one. */
const DEFAULT_HOOK_TIMEOUT_MS = 5_000;

/** What a shutdown does to the controller's calls, and where it reports. */
export interface ShutdownCalls {
  /** Fails every pending call with ReactorStopped; returns how many there were. */
  failPending(): number;
  /** Reports the failures nobody observed (tracked and stashed results). */
  reportUnobserved(): void;
  /** Reports through the controller's current logger; never throws. */
  report(message: string, error?: unknown): void;
}

export class ReactorLifecycle {
  /** The shutdown hooks, by phase. */
  readonly hooks = new ShutdownHooks();
  /** Each hook's limit unless its own options give one (ms). */
  private hookTimeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  private current: ReactorState = 'idle';
  private mode: 'setup' | 'noSetup' | undefined;
  private shutdown: Promise<void> | undefined;
  private removeProcessHandlers: (() => void) | undefined;
  private readonly report: Report = (message, error) => this.calls.report(message, error);

  constructor(
    private readonly process: ProcessIntegration,
    private readonly calls: ShutdownCalls,
  ) {}

  /** Where the reactor is in its life. */
  get state(): ReactorState {
    return this.current;
  }

  /** After `noSetup()` the application manages the reactor: `setup()` changes nothing. */
  get managedByApplication(): boolean {
    return this.mode === 'noSetup';
  }

  /**
   * `setup()`: running, with process handlers installed (once). `hookTimeoutMs` applies even
   * when it was already running. Throws ReactorStopped once the reactor is stopping or stopped.
   */
  setup(hookTimeoutMs: number | undefined): void {
    if (hookTimeoutMs !== undefined) {
      this.hookTimeoutMs = checkTimeout(hookTimeoutMs, 'setup() option hookTimeoutMs');
    }
    if (this.current === 'stopping' || this.current === 'stopped') {
      throw new ReactorStopped(messages.setupAfterStop());
    }
    if (this.mode !== undefined) return;
    this.mode = 'setup';
    this.current = 'running';
    this.removeProcessHandlers = this.process.install({
      signal: (name) => this.onSignal(name),
      beforeExit: () => void this.stop(),
      exit: () => this.stopNow(),
    });
  }

  /** `noSetup()`: running, managed by the application; a CrochetError after setup() or twice. */
  noSetup(): void {
    if (this.mode === 'setup') throw new CrochetError(messages.noSetupAfterSetup());
    if (this.mode === 'noSetup') throw new CrochetError(messages.noSetupTwice());
    this.mode = 'noSetup';
    this.current = 'running';
  }

  /** The orderly shutdown, started once; later calls return the same promise. */
  stop(): Promise<void> {
    this.shutdown ??= this.runShutdown();
    return this.shutdown;
  }

  /** Back to 'idle': hooks and process handlers dropped, the default hook limit again. */
  reset(): void {
    this.hooks.clear();
    this.removeProcessHandlers?.();
    this.removeProcessHandlers = undefined;
    this.shutdown = undefined;
    this.mode = undefined;
    this.current = 'idle';
    this.hookTimeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  }

  private async runShutdown(): Promise<void> {
    this.current = 'stopping';
    await this.hooks.run('before', this.hookTimeoutMs, this.report);
    const released = this.calls.failPending();
    this.calls.reportUnobserved();
    // A released caller returns from its pump only after the current microtask drain; a loop
    // turn lets it see ReactorStopped before the 'during' hooks start closing things.
    if (released > 0) await new Promise((resolve) => setRealImmediate(resolve));
    await this.hooks.run('during', this.hookTimeoutMs, this.report);
    await this.hooks.run('after', this.hookTimeoutMs, this.report);
    this.current = 'stopped';
    this.removeProcessHandlers?.();
    this.removeProcessHandlers = undefined;
  }

  private onSignal(name: ShutdownSignal): void {
    const code = EXIT_CODES[name];
    if (this.current === 'stopping' || this.current === 'stopped') {
      this.process.exit(code);
      return;
    }
    // The blocked caller receives ReactorStopped; if the application lets it escape, it must
    // not cut the shutdown short, so it is absorbed here and the hooks still run.
    const release = this.process.catchUncaught((error) => {
      if (!(error instanceof ReactorStopped)) {
        this.report(messages.uncaughtDuringShutdown(), error);
      }
    });
    void this.stop().then(() => {
      release();
      this.process.exit(code);
    });
  }

  /** The process exits without an orderly shutdown: hooks run synchronously. */
  private stopNow(): void {
    if (this.current === 'stopped') return;
    if (this.current === 'stopping') {
      // Exiting in the middle of an orderly shutdown: its hooks are already under way.
      this.calls.failPending();
      return;
    }
    this.current = 'stopped';
    this.hooks.runSynchronously('before', this.report);
    this.calls.failPending();
    this.calls.reportUnobserved();
    this.hooks.runSynchronously('during', this.report);
    this.hooks.runSynchronously('after', this.report);
  }
}
