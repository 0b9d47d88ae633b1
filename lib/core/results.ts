/**
 * The controller's EventualResults: which failures nobody observed must be reported (when a
 * result is garbage-collected, or at shutdown for what is left: a FinalizationRegistry callback
 * never runs once the process is exiting), and the stash (`EventualResult.stash()` /
 * `retrieveResult(id)`).
 *
 * Context: the controller's thread.
 */
import type { EventualResult } from './eventual-result';
import { messages } from '../messages';
import type { Operation } from './operation';

interface Stashed {
  readonly result: EventualResult<unknown>;
  readonly operation: Operation;
}

export class Results {
  private readonly stashed = new Map<number, Stashed>();
  private lastStashId = 0;
  /** Operations whose EventualResult may still be observed. */
  private readonly tracked = new Set<Operation>();
  private readonly collected = new FinalizationRegistry<Operation>((operation) => {
    this.tracked.delete(operation);
    operation.orphan(messages.unobservedFailure());
  });

  /** Reports `operation`'s failure if nobody observed it once `result` is collected. */
  track(result: EventualResult<unknown>, operation: Operation): void {
    this.collected.register(result, operation);
    this.tracked.add(operation);
  }

  stash(result: EventualResult<unknown>, operation: Operation): number {
    this.lastStashId += 1;
    this.stashed.set(this.lastStashId, { result, operation });
    return this.lastStashId;
  }

  /** The result stashed under `id`, once. */
  retrieve<T>(id: number): EventualResult<T> {
    const entry = this.stashed.get(id);
    if (entry === undefined) throw new RangeError(messages.unknownResultId(id));
    this.stashed.delete(id);
    // The type parameter is the caller's statement of what it stashed under this id.
    return entry.result as EventualResult<T>;
  }

  /** At shutdown: stashed failures nobody observed, then every other one. */
  reportUnobserved(): void {
    for (const [id, { operation }] of this.stashed) {
      operation.orphan(messages.stashedUnobserved(id));
    }
    for (const operation of this.tracked) operation.orphan(messages.unobservedFailure());
    this.tracked.clear();
  }

  clear(): void {
    this.stashed.clear();
    this.tracked.clear();
  }
}
