/**
 * Remote facades: what application code holds for an object kept in a host. Each method of the
 * object becomes a blocking method (or an eventual one, returning an EventualResult), planned
 * once when the facade is made (method-plans.ts). A facade releases its object when it is
 * garbage-collected, or at once with `release()`. `handleOf()` makes plain, cloneable data that
 * another thread turns back into a facade with `attach()`.
 *
 * Context: the thread that holds the facade; its calls go to that thread's connection and their
 * eventual results belong to that thread's controller.
 */
import { EventualResult, type ResultWaiter } from '../../core/eventual-result';
import { ReactorThreadError } from '../../errors';
import { messages } from '../../messages';
import type { ReactorController } from '../../core/reactor';
import type { Connection } from '../caller/connection';
import { connectionTo } from '../caller/connections';
import { unexpectedRef, type Settleable } from '../caller/pending-call';
import { RemoteOperation } from './remote-operation';
import {
  CALL_BLOCKING,
  CALL_BUFFERS,
  CALL_REMOTE,
  HOST_SLOTS,
  callRequest,
  type HostAddress,
  type MethodPlan,
  type RemoteRef,
} from '../transport/protocol';
import { planMethods } from './method-plans';
import { argumentsByValue } from '../transport/by-value';

/**
 * Base class of every remote facade, for `instanceof`. Its methods are own properties. Facades are
 * made by `create()`, `functions()`, `attach()` and calls declared `remote`; never constructed
 * directly.
 */
export class RemoteFacade {
  /** Not for application code: facades come from `create()`, `attach()` and results. */
  protected constructor() {}
}

interface FacadeState {
  readonly controller: ReactorController;
  readonly connection: Connection;
  readonly ref: number;
  readonly className: string;
  readonly plans: readonly MethodPlan[];
  released: boolean;
}

interface Held {
  readonly connection: Connection;
  readonly ref: number;
}

const states = new WeakMap<object, FacadeState>();
const released = new FinalizationRegistry<Held>((held) => {
  held.connection.sendQuietly({ k: 'release', target: held.ref });
});

function resultWaiter(controller: ReactorController, connection: Connection): ResultWaiter {
  return {
    block: (operation, timeoutMs) => connection.block(() => operation.settled, timeoutMs),
    stash: (result, operation) => controller.stash(result, operation),
  };
}

/**
 * Builds a facade over a reference; it owns one reference to the object in the host. Calls of
 * methods whose plan declares their result remote give facades too, planned the same way.
 */
export function makeFacade(
  controller: ReactorController,
  connection: Connection,
  ref: number,
  className: string,
  plans: readonly MethodPlan[],
): RemoteFacade {
  const facade = Object.create(RemoteFacade.prototype) as RemoteFacade;
  const state: FacadeState = { controller, connection, ref, className, plans, released: false };
  states.set(facade, state);
  const waiter = resultWaiter(controller, connection);
  for (const plan of plans) {
    const name = plan.name;
    const what = `${className}.${name}() (reactor thread '${connection.address.name}')`;
    const timeoutMs = plan.timeoutMs;
    const declared = plan.remote;
    const flags = declared === undefined ? 0 : CALL_REMOTE;
    const onRef =
      declared === undefined
        ? undefined
        : (result: RemoteRef): RemoteFacade =>
            makeFacade(
              controller,
              connection,
              result.$crochetRef,
              result.className,
              planMethods(result.methods, declared.options, result.className, declared.typed),
            );
    const method = plan.eventual
      ? function (...given: unknown[]): EventualResult<unknown> {
          if (state.released)
            throw new ReactorThreadError(messages.threadReleased(what), 'released');
          const { list: args, buffers } = argumentsByValue(given, what);
          const sent = buffers ? flags | CALL_BUFFERS : flags;
          let operation: RemoteOperation | undefined;
          connection.requestLater(
            (id) => callRequest(id, ref, name, sent, args),
            args,
            what,
            (id): Settleable => {
              operation = new RemoteOperation(controller, connection, id, onRef ?? unexpectedRef);
              return operation;
            },
          );
          const result = new EventualResult<unknown>(operation as RemoteOperation, waiter);
          controller.adoptRemote(result, operation as RemoteOperation);
          return result;
        }
      : function (...given: unknown[]): unknown {
          if (state.released)
            throw new ReactorThreadError(messages.threadReleased(what), 'released');
          const { list: args, buffers } = argumentsByValue(given, what);
          const sent = flags | CALL_BLOCKING | (buffers ? CALL_BUFFERS : 0);
          return connection.request(
            (id) => callRequest(id, ref, name, sent, args),
            args,
            timeoutMs,
            what,
            onRef,
          );
        };
    Object.defineProperty(method, 'name', { value: name, configurable: true });
    // Enumerable: Object.keys() lists what can be called (a module's functions, say).
    Object.defineProperty(facade, name, {
      value: method,
      configurable: true,
      writable: true,
      enumerable: true,
    });
  }
  Object.defineProperty(facade, Symbol.toStringTag, {
    value: `${className} (reactor thread '${connection.address.name}')`,
    configurable: true,
  });
  released.register(facade, { connection, ref }, state);
  return facade;
}

function stateOf(facade: unknown): FacadeState {
  const state = typeof facade === 'object' && facade !== null ? states.get(facade) : undefined;
  if (state === undefined) throw new TypeError(messages.threadNotAFacade(facade));
  return state;
}

/**
 * Releases the hosted object behind a facade now instead of at garbage collection. Later calls
 * on the facade throw ReactorThreadError('released'). Idempotent. Throws a TypeError for
 * anything that is not a remote facade.
 *
 * Context: the thread that holds the facade, in any context (it does not block).
 */
export function release(facade: object): void {
  const state = stateOf(facade);
  if (state.released) return;
  state.released = true;
  released.unregister(state);
  state.connection.sendQuietly({ k: 'release', target: state.ref });
}

/** Cloneable data that lets another thread call the same hosted object. `F` is the facade type. */
export interface ServiceHandle<F = unknown> {
  /** Marks the object as a handle (`attach()` checks it). */
  readonly $crochetHandle: 1;
  /** @internal Where the host is. */
  readonly address: HostAddress;
  /** @internal The object's reference in the host. */
  readonly ref: number;
  /** The class name of the hosted object, as shown in messages. */
  readonly className: string;
  /** @internal How each method is called (eventual or blocking, timeout, remote result). */
  readonly plans: readonly MethodPlan[];
  /** Type-only: the facade type `attach()` gives back. */
  readonly __facade?: F;
}

/**
 * A handle to the object behind `facade`, to post to a worker thread (`postMessage`,
 * `workerData`): plain data, no transfer list needed. It holds its own reference to the object
 * until a thread attaches it (the attached facade then owns it).
 *
 * Context: synchronous; blocks briefly for the host to take the reference.
 */
export function handleOf<F extends object>(facade: F): ServiceHandle<F> {
  const state = stateOf(facade);
  const what = `handleOf(${state.className})`;
  if (state.released) throw new ReactorThreadError(messages.threadReleased(what), 'released');
  const kept = state.connection.request(
    (id) => ({ k: 'retain', id, target: state.ref }),
    [],
    undefined,
    what,
  );
  if (kept !== true) throw new ReactorThreadError(messages.threadReleased(what), 'released');
  return {
    $crochetHandle: 1,
    address: state.connection.address,
    ref: state.ref,
    className: state.className,
    plans: state.plans,
  };
}

/**
 * The facade of a handle made by `handleOf()` in another thread: same methods, same plans
 * (timeouts, eventual methods, remote results), calls owned by `controller`. Attach each handle
 * once; the facade owns its reference.
 *
 * Context: any thread; the first call per host opens this thread's connection (blocking).
 */
export function attachWith<F>(controller: ReactorController, handle: ServiceHandle<F>): F {
  if (!isServiceHandle(handle)) throw new TypeError(messages.threadBadHandle(handle));
  const connection = connectionTo(handle.address);
  return makeFacade(controller, connection, handle.ref, handle.className, handle.plans) as F;
}

/**
 * Whether `value` has the shape of a handle made by handleOf(), as it arrives after a
 * postMessage: a malformed one gave raw errors ("Cannot read properties of undefined", "Invalid
 * atomic access index") from deep inside the connection.
 */
function isServiceHandle(value: unknown): value is ServiceHandle {
  if (typeof value !== 'object' || value === null) return false;
  const handle = value as Partial<Record<keyof ServiceHandle, unknown>>;
  const address = handle.address as Partial<Record<keyof HostAddress, unknown>> | undefined;
  return (
    handle.$crochetHandle === 1 &&
    typeof handle.ref === 'number' &&
    typeof handle.className === 'string' &&
    Array.isArray(handle.plans) &&
    typeof address === 'object' &&
    address !== null &&
    typeof address.id === 'string' &&
    typeof address.name === 'string' &&
    address.state instanceof SharedArrayBuffer &&
    address.state.byteLength >= HOST_SLOTS * 4
  );
}
