/**
 * `facade(ServiceClass, options)`: a class whose instances wrap a service instance and expose a
 * generated reactor-bound method for each of its methods, so application code sees a plain
 * blocking API (the seed's "Hide Twisted and Crochet").
 *
 * Generated methods are built by `bindToReactor`, the same function the decorators use, and
 * registered in the same metadata, so they behave exactly like `@waitFor`/`@runInReactor`
 * methods (timeouts abort `currentSignal()`, shutdown releases them, `reactorMethods()` lists
 * them). They forward by name at call time: a sinon stub put on the service instance, or on its
 * prototype, after the facade was built takes effect. A service method that is itself decorated
 * is forwarded to its undecorated original, so the call is bound to the reactor once.
 *
 * Context: build facades anywhere; call their blocking methods from synchronous code.
 */
import type {
  AnyFunction,
  Blocking,
  FacadeConstructor,
  MethodKeys,
  WrapMap,
} from './blocking-types';
import { bindToReactor, originalOf, type Invoker } from '../declare/decorators';
import { messages } from '../messages';
import { registerReactorMethod, type AnyClass } from '../declare/reactor-methods';
import { prototypeChain } from './prototype-chain';
import {
  planFacade,
  type FacadePlan,
  type GeneratedMethod,
  type UncheckedOptions,
} from './facade-plan';

/**
 * Options of `facade(ServiceClass, options)`. Every method name given must be a method of the
 * service class (own or inherited), else `facade()` throws a TypeError listing them; unknown
 * options are refused the same way. A method decorated with `@runInReactor` in the service must
 * be listed in `eventual`.
 *
 * @typeParam T - The service instance type.
 * @typeParam E - The methods listed in `eventual`.
 * @typeParam W - The `wrap` map.
 * @typeParam X - The methods listed in `exclude`.
 */
export interface FacadeOptions<
  T,
  E extends MethodKeys<T> = never,
  W extends WrapMap<T> = object,
  X extends MethodKeys<T> = never,
> {
  /** Default timeout of the blocking methods, in ms. */
  timeoutMs: number;
  /** Per-method timeouts, overriding `timeoutMs` and the service's own `@waitFor(ms)`. */
  timeouts?: { readonly [K in MethodKeys<T>]?: number };
  /** Methods that return an EventualResult at once instead of blocking. */
  eventual?: readonly E[];
  /** Methods to leave out of the facade. */
  exclude?: readonly X[];
  /** Methods whose (awaited) result is wrapped in the given facade class before it is returned. */
  wrap?: W;
}

/** The instance type of a facade: the blocking view of T without the excluded methods. */
export type FacadeOf<
  T,
  E extends MethodKeys<T> = never,
  W extends WrapMap<T> = object,
  X extends MethodKeys<T> = never,
> = Omit<Blocking<T, E, W>, X>;

/** The class `facade()` returns: construct it with a service instance, or extend it. */
export type FacadeClass<T, I> = new (service: T) => I;

const SERVICE = Symbol('crochet.facade.service');

interface FacadeInstance {
  readonly [SERVICE]: Record<string | symbol, unknown>;
}

/**
 * The `facade()` function bound to one controller. The package exports the global reactor's as
 * `facade`; a test binds one to a controller of its own (`crochet/testing`).
 *
 * Context: build facades anywhere; their methods' calls go to `invoker` and follow its rules.
 */
export function createFacadeFactory(invoker: Invoker) {
  return function facade<
    C extends AnyClass,
    E extends MethodKeys<InstanceType<C>> = never,
    W extends WrapMap<InstanceType<C>> = object,
    X extends MethodKeys<InstanceType<C>> = never,
  >(
    Service: C,
    options: FacadeOptions<InstanceType<C>, E, W, X>,
  ): FacadeClass<InstanceType<C>, FacadeOf<InstanceType<C>, E, W, X>> {
    return buildFacade(invoker, Service, options) as FacadeClass<
      InstanceType<C>,
      FacadeOf<InstanceType<C>, E, W, X>
    >;
  };
}

function buildFacade(invoker: Invoker, Service: unknown, options: UncheckedOptions): unknown {
  if (typeof Service !== 'function' || typeof Service.prototype !== 'object') {
    throw new TypeError(messages.facadeNeedsClass(Service));
  }
  const service = Service as AnyClass;
  const className = service.name || '<anonymous class>';
  const planner = planFacade(service, className, options);
  const generate = (plan: GeneratedMethod, what: string): ((...args: unknown[]) => unknown) =>
    bindToReactor(
      invoker,
      plan.kind,
      makeForwarder(plan.name, className, plan.wrapWith),
      plan.timeoutMs ?? 0,
      what,
    );
  const fieldMethods = new Map<string | symbol, (...args: unknown[]) => unknown>();
  const fieldMethod = (name: string | symbol): ((...args: unknown[]) => unknown) => {
    let method = fieldMethods.get(name);
    if (method === undefined) {
      method = generate(
        planner.planField(name),
        `facade method ${className}Facade.${String(name)}()`,
      );
      fieldMethods.set(name, method);
    }
    return method;
  };

  const Facade = class {
    declare readonly [SERVICE]: Record<string | symbol, unknown>;
    constructor(instance: unknown) {
      if (typeof instance !== 'object' || instance === null) {
        throw new TypeError(messages.facadeNeedsInstance(className, instance));
      }
      Object.defineProperty(this, SERVICE, { value: instance });
      forwardFields(this, instance, className, planner, fieldMethod);
    }
  };
  Object.defineProperty(Facade, 'name', { value: `${className}Facade` });

  for (const plan of planner.plans) {
    const what = `facade method ${className}Facade.${String(plan.name)}()`;
    Object.defineProperty(Facade.prototype, plan.name, {
      value: generate(plan, what),
      writable: true,
      configurable: true,
    });
    registerReactorMethod(Facade.prototype, plan.name, plan.kind, plan.timeoutMs);
  }
  return Facade;
}

/**
 * Gives a facade instance a generated method for each function-valued field of its service
 * instance (`arrow = async (a: number) => a`): such a field exists only on instances, so it is
 * found when the facade is constructed, and the method (one per name and facade class, shared
 * by its instances) forwards by name at call time like the others. A field that a subclass of
 * the facade defines a method for is left to that method. Names the options gave that are
 * neither prototype methods nor such fields are refused here.
 */
function forwardFields(
  facade: object,
  instance: object,
  className: string,
  planner: FacadePlan,
  fieldMethod: (name: string | symbol) => (...args: unknown[]) => unknown,
): void {
  const fields: (string | symbol)[] = [];
  for (const name of Reflect.ownKeys(instance)) {
    if (planner.known.has(name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(instance, name);
    if (typeof descriptor?.value !== 'function') continue;
    fields.push(name);
    if (planner.excluded.has(name) || definedByFacadeClass(facade, name)) continue;
    Object.defineProperty(facade, name, {
      value: fieldMethod(name),
      writable: true,
      configurable: true,
    });
  }
  for (const [name, option] of planner.namedFields) {
    if (!fields.includes(name)) {
      throw new TypeError(
        messages.unknownMethodOption(`facade(${className})`, className, option, name, [
          ...planner.methods,
          ...fields,
        ]),
      );
    }
  }
}

/** Whether the facade's class (or a subclass of it) has a property of that name. */
function definedByFacadeClass(facade: object, name: string | symbol): boolean {
  for (const proto of prototypeChain(Object.getPrototypeOf(facade) as object | null)) {
    if (Object.hasOwn(proto, name)) return true;
  }
  return false;
}

/**
 * The body of a generated method: looks the method up on the service by name at call time
 * (so stubs put on later are honoured) and wraps the result when a facade class is declared.
 */
function makeForwarder(
  name: string | symbol,
  className: string,
  wrapWith: FacadeConstructor | undefined,
): (...args: unknown[]) => unknown {
  let lastSeen: unknown;
  let target: AnyFunction | undefined;
  return function forward(this: FacadeInstance, ...args: unknown[]): unknown {
    const service = this[SERVICE];
    const method = service[name];
    if (method !== lastSeen) {
      if (typeof method !== 'function') {
        throw new TypeError(messages.facadeMethodGone(className, name, method));
      }
      lastSeen = method;
      target = originalOf(method as AnyFunction) ?? (method as AnyFunction);
    }
    const result = Reflect.apply(target as AnyFunction, service, args);
    if (wrapWith === undefined) return result;
    return Promise.resolve(result).then((value) => wrapValue(value, wrapWith));
  };
}

function wrapValue(value: unknown, wrapWith: FacadeConstructor): unknown {
  if (value === null || value === undefined) return value;
  return Reflect.construct(wrapWith, [value]);
}
