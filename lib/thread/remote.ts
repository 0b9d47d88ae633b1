/**
 * Remote facades: what application code holds for an object kept in a host. Each method of the
 * object becomes a blocking method (or an eventual one, returning an EventualResult), planned
 * once when the facade is made from the object's decorator metadata and the caller's options.
 * A facade releases its object when it is garbage-collected, or at once with `release()`.
 * `handleOf()` makes plain, cloneable data that another thread turns back into a facade with
 * `attach()`.
 */
import type { Blocking, MethodKeys } from '../blocking-types';
import { EventualResult, type ResultHost } from '../eventual-result';
import { ReactorThreadError } from '../errors';
import { messages } from '../messages';
import { reactor } from '../global';
import { checkTimeout } from '../timeout-arg';
import {
  Connection,
  RemoteOperation,
  connectionTo,
  setRefFactory,
  type Settleable,
} from './connection';
import {
  callRequest,
  type HostAddress,
  type MethodInfo,
  type MethodPlan,
  type RemoteRef,
} from './protocol';

/** How a facade calls the methods of a hosted object. */
export interface RemoteOptions<T, E extends MethodKeys<T> = never> {
  /**
   * Limit for blocking methods without their own, in ms. A method decorated with `@waitFor(ms)`
   * in the service uses its `ms`. Without any limit a call waits until it settles, the thread
   * stops or fails, or nothing in the thread can settle it.
   */
  readonly timeoutMs?: number;
  /** Methods that return an EventualResult (a `@runInReactor` method must be listed). */
  readonly eventual?: readonly E[];
  /** Per-method limits, in ms (win over the decorator's and `timeoutMs`). */
  readonly timeouts?: { readonly [K in MethodKeys<T>]?: number };
}

/** Base class of every remote facade, for `instanceof`. Its methods are own properties. */
export class RemoteFacade {
  protected constructor() {}
}

interface FacadeState {
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

/** RemoteOptions with the types erased, as planMethods reads them. */
export interface LooseOptions {
  readonly timeoutMs?: number;
  readonly eventual?: readonly string[];
  readonly timeouts?: Readonly<Record<string, number | undefined>>;
}

/**
 * Plans every method of a hosted object from its metadata and the caller's options. With options
 * (a typed `create()`/`expose()`), a `@runInReactor` method must be listed in `eventual`, so that
 * the facade's type says it returns an EventualResult; without (an object returned by a call,
 * whose facade is untyped), such a method is simply eventual.
 */
export function planMethods(
  methods: readonly MethodInfo[],
  typedOptions?: LooseOptions,
  className = 'the service',
): MethodPlan[] {
  const options = typedOptions ?? {};
  const eventual = new Set<string>(options.eventual ?? []);
  const timeouts = options.timeouts ?? {};
  const known = methods.map((m) => m.name);
  const check = (option: string, names: Iterable<string>): void => {
    for (const name of names) {
      if (!known.includes(name)) {
        throw new TypeError(messages.threadUnknownMethod(option, name, className, known));
      }
    }
  };
  check('eventual', eventual);
  check('timeouts', Object.keys(timeouts));
  const fallback =
    options.timeoutMs === undefined
      ? undefined
      : checkTimeout(options.timeoutMs, 'option timeoutMs');
  return methods.map((info) => {
    if (typedOptions !== undefined && info.kind === 'runInReactor' && !eventual.has(info.name)) {
      throw new TypeError(messages.facadeEventualNotListed(className, info.name));
    }
    const own = timeouts[info.name];
    return {
      name: info.name,
      eventual: eventual.has(info.name) || info.kind === 'runInReactor',
      timeoutMs:
        own !== undefined
          ? checkTimeout(own, `option timeouts.${info.name}`)
          : info.kind === 'waitFor'
            ? info.timeoutMs
            : fallback,
    };
  });
}

function resultHost(connection: Connection): ResultHost {
  return {
    block: (operation, timeoutMs) => connection.block(() => operation.settled, timeoutMs),
    stash: (result, operation) => reactor.stash(result, operation),
  };
}

/** Builds a facade; it owns one reference to the object in the host. */
export function makeFacade(
  connection: Connection,
  ref: number,
  className: string,
  plans: readonly MethodPlan[],
): RemoteFacade {
  const facade = Object.create(RemoteFacade.prototype) as RemoteFacade;
  const state: FacadeState = { connection, ref, className, plans, released: false };
  states.set(facade, state);
  const host = resultHost(connection);
  for (const plan of plans) {
    const name = plan.name;
    const what = `${className}.${name}() (reactor thread '${connection.address.name}')`;
    const timeoutMs = plan.timeoutMs;
    const method = plan.eventual
      ? function (...args: unknown[]): EventualResult<unknown> {
          if (state.released)
            throw new ReactorThreadError(messages.threadReleased(what), 'released');
          let operation: RemoteOperation | undefined;
          connection.requestLater(
            (id) => callRequest(id, ref, name, false, args),
            args,
            what,
            (id): Settleable => {
              operation = new RemoteOperation(reactor, connection, id);
              return operation;
            },
          );
          const result = new EventualResult<unknown>(operation as RemoteOperation, host);
          reactor.adoptRemote(result, operation as RemoteOperation);
          return result;
        }
      : function (...args: unknown[]): unknown {
          if (state.released)
            throw new ReactorThreadError(messages.threadReleased(what), 'released');
          return connection.request(
            (id) => callRequest(id, ref, name, true, args),
            args,
            timeoutMs,
            what,
          );
        };
    Object.defineProperty(method, 'name', { value: name, configurable: true });
    Object.defineProperty(facade, name, { value: method, configurable: true, writable: true });
  }
  Object.defineProperty(facade, Symbol.toStringTag, {
    value: `${className} (reactor thread '${connection.address.name}')`,
    configurable: true,
  });
  released.register(facade, { connection, ref }, state);
  return facade;
}

// A reference that arrives as a result becomes a facade with the object's own metadata.
setRefFactory((connection, ref: RemoteRef) =>
  makeFacade(connection, ref.$crochetRef, ref.className, planMethods(ref.methods)),
);

function stateOf(facade: unknown): FacadeState {
  const state = typeof facade === 'object' && facade !== null ? states.get(facade) : undefined;
  if (state === undefined) throw new TypeError(messages.threadNotAFacade(facade));
  return state;
}

/**
 * Releases the hosted object behind a facade now instead of at garbage collection. Later calls
 * on the facade throw ReactorThreadError('released'). Idempotent.
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
  readonly $crochetHandle: 1;
  readonly address: HostAddress;
  readonly ref: number;
  readonly className: string;
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
 * (timeouts, eventual methods). Attach each handle once; the facade owns its reference.
 *
 * Context: any thread; the first call per host opens this thread's connection (blocking).
 */
export function attach<F>(handle: ServiceHandle<F>): F {
  if (
    typeof handle !== 'object' ||
    handle === null ||
    (handle as { $crochetHandle?: unknown }).$crochetHandle !== 1
  ) {
    throw new TypeError(messages.threadBadHandle(handle));
  }
  const connection = connectionTo(handle.address);
  return makeFacade(connection, handle.ref, handle.className, handle.plans) as F;
}

/** Type helper: the facade type of a hosted `T` (same as the in-thread `Blocking<T, E>`). */
export type Remote<T, E extends MethodKeys<T> = never> = Blocking<T, E>;
