/**
 * How `facade()` plans its generated methods: its options read and checked (with the shared
 * planner, method-planner.ts), a plan per prototype method, and what is left to check when an
 * instance shows its function-valued fields.
 *
 * Context: pure, any thread; runs when `facade()` builds a class.
 */
import type { ReactorMethodKind } from '../core/call-context';
import { reactorMethods, type AnyClass } from '../declare/reactor-methods';
import { checkTimeout } from '../declare/timeout-arg';
import { messages } from '../messages';
import type { FacadeConstructor } from './blocking-types';
import {
  checkOptionKeys,
  decideMethod,
  nameList,
  nameMap,
  ownOption,
  type MethodOptions,
} from './method-planner';
import { methodNamesOf } from './prototype-chain';

export interface GeneratedMethod {
  readonly name: string | symbol;
  readonly kind: ReactorMethodKind;
  readonly timeoutMs: number | undefined;
  readonly wrapWith: FacadeConstructor | undefined;
}

/** The options as they arrive at run time, before validation (JavaScript callers included). */
export interface UncheckedOptions {
  readonly timeoutMs: unknown;
  readonly timeouts?: unknown;
  readonly eventual?: unknown;
  readonly exclude?: unknown;
  readonly wrap?: unknown;
}

const FACADE_OPTIONS = ['timeoutMs', 'timeouts', 'eventual', 'exclude', 'wrap'];

/** What planFacade() decided, for the prototype methods and for instance fields. */
export interface FacadePlan {
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
export function planFacade(
  service: AnyClass,
  className: string,
  options: UncheckedOptions,
): FacadePlan {
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
    const wrapWith = ownOption(wrap, name);
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
