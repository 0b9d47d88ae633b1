/**
 * The method planner that `facade()` and hosted facades (`create()`, `functions()`, `expose()`)
 * share: reading their common options (`timeoutMs`, `timeouts`, `eventual`, the per-method
 * maps) and deciding, per method, whether it blocks or is eventual and with which timeout. One
 * reading, one rule, one set of messages: a bad shape, an unknown option and a name that is not
 * a method are refused the same way whichever facade is built. `subject` names the call in
 * messages (`facade(Counter)`, `create("Pool")`). What only one kind of facade has (`wrap`,
 * `exclude` and function fields for `facade()`; `remote` for hosted ones) stays with it.
 *
 * Context: pure functions, any thread.
 */
import { messages } from '../messages';
import { checkTimeout } from '../declare/timeout-arg';

/** Refuses an options value that is not an object, or has keys other than `allowed`. */
export function checkOptionKeys(
  subject: string,
  options: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(messages.badOption(subject, 'options', 'an object', options));
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      throw new TypeError(messages.unknownOption(subject, String(key), allowed));
    }
  }
  return options as Record<string, unknown>;
}

/** An option that lists method names (`eventual`, `exclude`). */
export function nameList(subject: string, option: string, value: unknown): (string | symbol)[] {
  if (value === undefined) return [];
  if (
    !Array.isArray(value) ||
    !value.every((n) => typeof n === 'string' || typeof n === 'symbol')
  ) {
    throw new TypeError(messages.badOption(subject, option, 'an array of method names', value));
  }
  return value as (string | symbol)[];
}

/** An option keyed by method name (`timeouts`, `wrap`, `remote`). */
export function nameMap(
  subject: string,
  option: string,
  value: unknown,
): Record<string | symbol, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      messages.badOption(subject, option, 'an object keyed by method name', value),
    );
  }
  return value as Record<string | symbol, unknown>;
}

/** What the options say of all methods (read once per facade). */
export interface MethodOptions {
  readonly subject: string;
  readonly className: string;
  readonly eventual: ReadonlySet<string | symbol>;
  readonly timeouts: Record<string | symbol, unknown>;
  /** `timeoutMs`, checked; undefined: no limit. */
  readonly fallback: number | undefined;
  /**
   * A `@runInReactor` method must be listed in `eventual` (typed facades, so that the type says
   * it returns an EventualResult); otherwise it is simply eventual.
   */
  readonly eventualMustBeListed: boolean;
}

/** How one method is called. */
export interface MethodDecision {
  readonly eventual: boolean;
  /** Caller-side limit of a blocking method, in ms; undefined: none (or eventual). */
  readonly timeoutMs: number | undefined;
}

/**
 * The rule, for one method: eventual when listed (or decorated `@runInReactor`); a blocking
 * method's timeout is its entry in `timeouts`, else its own `@waitFor(ms)`, else `timeoutMs`.
 */
export function decideMethod(
  options: MethodOptions,
  name: string | symbol,
  declared: { readonly kind?: string | undefined; readonly timeoutMs?: number | undefined } = {},
): MethodDecision {
  const listed = options.eventual.has(name);
  if (declared.kind === 'runInReactor' && !listed && options.eventualMustBeListed) {
    throw new TypeError(messages.facadeEventualNotListed(options.className, name));
  }
  if (listed || declared.kind === 'runInReactor') return { eventual: true, timeoutMs: undefined };
  // Own keys only: a method named toString or valueOf must not find Object.prototype's.
  const own = ownOption(options.timeouts, name);
  const timeoutMs =
    own !== undefined
      ? checkTimeout(own, `${options.subject} option timeouts.${String(name)}`)
      : declared.kind === 'waitFor'
        ? declared.timeoutMs
        : options.fallback;
  return { eventual: false, timeoutMs };
}

/**
 * `options[name]` when it is the options object's own property, else undefined: a method named
 * like an Object.prototype member (toString, valueOf, constructor) must not find that member.
 */
export function ownOption(options: object, name: string | symbol): unknown {
  return Object.prototype.hasOwnProperty.call(options, name)
    ? (options as Record<string | symbol, unknown>)[name]
    : undefined;
}
