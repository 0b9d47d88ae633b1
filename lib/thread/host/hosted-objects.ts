/**
 * The objects a host keeps for its callers, by reference number: services it constructed
 * (`create()`), a module's functions (`functions()`), objects exposed by the hosting thread
 * (`expose()`) and results declared remote. Each reference is counted: every facade, handle or
 * reply holds one, and the object is dropped when the last is released.
 *
 * The host owns what it constructed: at shutdown those services are disposed in their own
 * thread, newest first (`Symbol.asyncDispose`, `Symbol.dispose`, or the close method named by
 * `create()`'s `dispose` option), each within its time limit; one that fails or hangs is
 * reported by name and the others are still disposed. Objects exposed by the hosting thread
 * belong to that thread's code and are left alone.
 *
 * Context: the host's thread only.
 */
import * as clock from '../../core/clock';
import { messages } from '../../messages';
import type { Report } from '../../core/logger';
import type { RemoteRef } from '../transport/protocol';
import { describeMethods } from '../transport/wire';

/** A kept object, with the class name its callers see in messages. */
export interface Hosted {
  readonly value: object;
  readonly className: string;
  refs: number;
}

/** A service the host constructed, and how it is closed at shutdown. */
interface Owned {
  readonly value: object;
  readonly what: string;
  readonly close: string | symbol | undefined;
  readonly limitMs: number;
}

/** Default time one service may take to dispose at shutdown, in ms. */
export const DEFAULT_DISPOSE_TIMEOUT_MS = 1_000;

export class HostedObjects {
  private readonly objects = new Map<number, Hosted>();
  private readonly refIds = new WeakMap<object, number>();
  private readonly owned: Owned[] = [];
  private nextRef = 1;

  /**
   * Keeps `value` and returns the reference callers use for it (one more ref). `className`
   * names it in messages (default: its constructor's name).
   */
  expose(value: object, className?: string): RemoteRef {
    let id = this.refIds.get(value);
    let hosted = id === undefined ? undefined : this.objects.get(id);
    if (id === undefined || hosted === undefined) {
      id = this.nextRef;
      this.nextRef += 1;
      const ctor = (value as { constructor?: { name?: unknown } }).constructor;
      const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'Object';
      hosted = { value, className: className ?? name, refs: 1 };
      this.refIds.set(value, id);
      this.objects.set(id, hosted);
    } else {
      hosted.refs += 1;
    }
    return { $crochetRef: id, className: hosted.className, methods: describeMethods(value) };
  }

  /** The object behind a reference, or undefined once it was released. */
  get(ref: number): Hosted | undefined {
    return this.objects.get(ref);
  }

  /** One more reference (a handle); false when the object is gone. */
  retain(ref: number): boolean {
    const hosted = this.objects.get(ref);
    if (hosted !== undefined) hosted.refs += 1;
    return hosted !== undefined;
  }

  release(ref: number): void {
    const hosted = this.objects.get(ref);
    if (hosted === undefined) return;
    hosted.refs -= 1;
    if (hosted.refs <= 0) {
      this.objects.delete(ref);
      this.refIds.delete(hosted.value);
    }
  }

  /**
   * Records a service this host constructed, to dispose at shutdown. `dispose` is the method to
   * call (a name), `false` for none, or undefined for `Symbol.asyncDispose`/`Symbol.dispose`.
   */
  own(value: object, what: string, dispose: string | false | undefined, limitMs: number): void {
    const close =
      dispose === false
        ? undefined
        : (dispose ??
          [Symbol.asyncDispose, Symbol.dispose].find(
            (key) => typeof (value as Record<symbol, unknown>)[key] === 'function',
          ));
    if (close !== undefined) this.owned.push({ value, what, close, limitMs });
  }

  /** Disposes the owned services, newest first; never throws (failures are reported). */
  async disposeAll(report: Report): Promise<void> {
    const owned = this.owned.splice(0).reverse();
    for (const service of owned) await disposeOne(service, report);
  }
}

async function disposeOne(service: Owned, report: Report): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'timeout'>((resolve) => {
    timer = clock.setRealTimeout(() => resolve('timeout'), service.limitMs);
  });
  try {
    if (service.close === undefined) return;
    const close = (service.value as Record<string | symbol, unknown>)[service.close];
    if (typeof close !== 'function') return;
    const done = Promise.resolve().then(() => Reflect.apply(close, service.value, []) as unknown);
    const outcome = await Promise.race([done, outOfTime]);
    if (outcome === 'timeout') {
      report(messages.threadDisposeTimedOut(service.what, service.limitMs));
    }
  } catch (error) {
    report(messages.threadDisposeFailed(service.what), error);
  } finally {
    if (timer !== undefined) clock.clearRealTimeout(timer);
  }
}
