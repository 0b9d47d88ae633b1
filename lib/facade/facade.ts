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
import type { ReactorMethodKind } from '../core/call-context';
import { bindToReactor, originalOf, type Invoker } from '../declare/decorators';
import { messages } from '../messages';
import { reactorMethods, registerReactorMethod, type AnyClass } from '../declare/reactor-methods';
import { checkTimeout } from '../declare/timeout-arg';
import { methodNamesOf, prototypeChain } from './prototype-chain';
import {
  checkOptionKeys,
  decideMethod,
  nameList,
  nameMap,
  type MethodOptions,
} from './method-planner';

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

interface GeneratedMethod {
  readonly name: string | symbol;
  readonly kind: ReactorMethodKind;
  readonly timeoutMs: number | undefined;
  readonly wrapWith: FacadeConstructor | undefined;
}

/** The options as they arrive at run time, before validation (JavaScript callers included). */
interface UncheckedOptions {
  readonly timeoutMs: unknown;
  readonly timeouts?: unknown;
  readonly eventual?: unknown;
  readonly exclude?: unknown;
  readonly wrap?: unknown;
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

const FACADE_OPTIONS = ['timeoutMs', 'timeouts', 'eventual', 'exclude', 'wrap'];

/** What planFacade() decided, for the prototype methods and for instance fields. */
interface FacadePlan {
  /** A plan per prototype method, excluded ones left out. */
  readonly plans: readonly GeneratedMethod[];
  /** The prototype methods of the service, nearest definition first. */
  readonly methods: readonly (string | symbol)[];
  readonly known: ReadonlySet<string | symbol>;
  readonly excluded: ReadonlySet<string | symbol>;
  /**
   * Names the options gave that are not on the service's prototype: instance fields holding
   * functions, which only an instance shows; each with the option that named it.
   */
  readonly namedFields: ReadonlyMap<string | symbol, string>;
  /** The plan of the method forwarding to an instance field of that name. */
  planField(name: string | symbol): GeneratedMethod;
}

/**
 * Decides kind and timeout of each generated method, and rejects options that name nothing: a
 * name that is on the prototype but not a method at once, one that is nowhere on the prototype
 * when a facade is constructed and its instance has no such field either.
 */
function planFacade(service: AnyClass, className: string, options: UncheckedOptions): FacadePlan {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(messages.facadeNeedsOptions(options));
  }
  const subject = `facade(${className})`;
  checkOptionKeys(subject, options, FACADE_OPTIONS);
  const defaultTimeout = checkTimeout(options.timeoutMs, `${subject} option timeoutMs`);
  const methods = methodNamesOf(service.prototype as object);
  const known = new Set<string | symbol>(methods);
  const prototype = service.prototype as object;
  const namedFields = new Map<string | symbol, string>();
  const check = (option: string, names: Iterable<string | symbol>): Set<string | symbol> => {
    const set = new Set(names);
    for (const name of set) {
      if (known.has(name)) continue;
      if (name in prototype) {
        throw new TypeError(
          messages.unknownMethodOption(subject, className, option, name, methods),
        );
      }
      if (!namedFields.has(name)) namedFields.set(name, option);
    }
    return set;
  };
  const eventual = check('eventual', nameList(subject, 'eventual', options.eventual));
  const exclude = check('exclude', nameList(subject, 'exclude', options.exclude));
  const timeouts = nameMap(subject, 'timeouts', options.timeouts);
  check('timeouts', Reflect.ownKeys(timeouts));
  const wrap = nameMap(subject, 'wrap', options.wrap);
  check('wrap', Reflect.ownKeys(wrap));
  const declared = new Map(
    reactorMethods(service)
      .filter((entry) => !entry.static)
      .map((entry) => [entry.name, entry]),
  );

  const rule: MethodOptions = {
    subject,
    className,
    eventual,
    timeouts,
    fallback: defaultTimeout,
    eventualMustBeListed: true,
  };
  const planOne = (name: string | symbol): GeneratedMethod => {
    const decision = decideMethod(rule, name, declared.get(name));
    const wrapWith = wrap[name];
    if (wrapWith !== undefined && typeof wrapWith !== 'function') {
      throw new TypeError(messages.facadeBadWrap(className, name, wrapWith));
    }
    const kind: ReactorMethodKind = decision.eventual ? 'runInReactor' : 'waitFor';
    return {
      name,
      kind,
      timeoutMs: decision.timeoutMs,
      wrapWith: wrapWith as FacadeConstructor | undefined,
    };
  };

  const plans: GeneratedMethod[] = [];
  for (const name of methods) {
    if (!exclude.has(name)) plans.push(planOne(name));
  }
  // Options for fields are checked now too (a bad timeout or wrap class is refused at once).
  for (const name of namedFields.keys()) planOne(name);
  return { plans, methods, known, excluded: exclude, namedFields, planField: planOne };
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
