/**
 * `hostServices()`: hosting services on the calling thread's own event loop, for worker threads
 * to call (the main thread serving a pool of synchronous workers), and `attach()`, which turns a
 * handle into a facade in any thread.
 */
import type { MethodKeys } from '../facade/blocking-types';
import { reactor } from '../global';
import type { ReactorController } from '../core/reactor';
import { ServiceHost } from './host/host';
import type { Hosted, RemoteMap, RemoteOptions } from './hosted-types';
import { planMethods } from './remote/method-plans';
import { attachWith, type ServiceHandle } from './remote/remote';

/**
 * Hosts services on the calling thread's own event loop, for worker threads to call (the main
 * thread serving a pool of synchronous workers). The thread must keep its loop free: a host
 * cannot serve while its own thread is blocked.
 */
export class ServiceHostHere {
  private readonly host: ServiceHost;
  private readonly removeHook: () => void;
  /**
   * Starts hosting on this thread's loop, named `name` in messages; tied to this thread's
   * reactor: `reactor.stop()` stops it. Usually made with `hostServices()`.
   */
  constructor(name = 'main', controller: ReactorController = reactor) {
    this.host = new ServiceHost({
      name,
      report: (message, error) => controller.report(message, error),
    });
    // Tied to shutdown like a reactor thread (the last 'before' hook): reactor.stop() releases
    // every worker blocked here, after the application's 'before' hooks.
    this.removeHook = controller.addShutdownHook('before', () => this.stop(), {
      name: `hosted services '${name}'`,
      last: true,
    });
  }

  /**
   * A handle to `service`, kept here until every facade attached from the handle is released.
   * Post the handle to a worker; there `attach(handle)` gives the blocking facade.
   *
   * Context: the hosting thread, in any context (it does not block).
   */
  expose<T extends object, E extends MethodKeys<T> = never, const R extends RemoteMap<T> = object>(
    service: T,
    options: RemoteOptions<T, E, R> = {},
  ): ServiceHandle<Hosted<T, E, R>> {
    const ref = this.host.expose(service);
    const subject = `expose(${ref.className})`;
    return {
      $crochetHandle: 1,
      address: this.host.address,
      ref: ref.$crochetRef,
      className: ref.className,
      plans: planMethods(ref.methods, options, ref.className, true, subject),
    };
  }

  /**
   * Stops serving: pending calls fail with ReactorStopped, every blocked caller is released with
   * ReactorStopped, and later calls are refused with it. Also run by `reactor.stop()` (the last
   * 'before' hook).
   *
   * Context: the hosting thread.
   */
  stop(): void {
    this.removeHook();
    this.host.stop();
  }
}

/**
 * Starts hosting services on this thread's loop, named `name` in messages (default `'main'`).
 * See {@link ServiceHostHere}.
 *
 * Context: the thread whose loop hosts them; that thread must not block on them itself (that
 * throws DeadlockError 'host-thread').
 */
export function hostServices(name?: string): ServiceHostHere {
  return new ServiceHostHere(name);
}

/**
 * The facade of a handle made by `handleOf()` or `expose()` in another thread: same methods,
 * same plans (timeouts, eventual methods, remote results). Attach each handle once; the facade
 * owns its reference.
 *
 * Context: any thread; the first call per host opens this thread's connection (blocking).
 */
export function attach<F>(handle: ServiceHandle<F>): F {
  return attachWith(reactor, handle);
}
