/**
 * A private reactor controller for the values / decorators / eventual-result / call-context /
 * declared-body / reactor-methods specs: the real deasync pump, a recording logger, and the
 * decorators bound to it. Nothing here touches the global `reactor`.
 */
import { createDecorators } from '../../lib/declare/decorators';
import type { Logger } from '../../lib/core/logger';
import { defaultCollaborators } from '../../lib/core/collaborators';
import { ReactorController } from '../../lib/core/reactor';
import { delay } from './fakes';

export { delay, thrownBy } from './fakes';

export interface OwnReactor {
  readonly controller: ReactorController;
  readonly waitFor: ReturnType<typeof createDecorators>['waitFor'];
  readonly runInReactor: ReturnType<typeof createDecorators>['runInReactor'];
  /** Everything the controller reported. */
  readonly reports: { message: string; error: unknown }[];
  /**
   * Blocks the caller while the loop runs for about `ms` (queued bodies start, timers fire).
   * Call from synchronous code only.
   */
  pumpFor(ms?: number): void;
}

/** A controller of its own, running (`noSetup()`) unless `started` is false. */
export function ownReactor(started = true): OwnReactor {
  const reports: { message: string; error: unknown }[] = [];
  const logger: Logger = { error: (message, error) => reports.push({ message, error }) };
  const controller = new ReactorController({ ...defaultCollaborators(), logger });
  const { waitFor, runInReactor } = createDecorators(controller);
  if (started) controller.noSetup();
  const sleep = waitFor(60_000)((ms: number) => delay(ms, undefined));
  return { controller, waitFor, runInReactor, reports, pumpFor: (ms = 0) => sleep(ms) };
}

/** Rejects with `reason` after `ms`, on a ref'd timer. */
export function rejectLater(ms: number, reason: unknown): Promise<never> {
  return new Promise((_resolve, reject) => setTimeout(() => reject(reason), ms));
}

/** True when called from inside a microtask (where crochet refuses to block). */
export function insideMicrotask(): boolean {
  let ran = false;
  void Promise.resolve().then(() => {
    ran = true;
  });
  (process as unknown as { _tickCallback(): void })._tickCallback();
  return !ran;
}
