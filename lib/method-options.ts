/**
 * Reading the method options that `facade()` and hosted facades (`create()`, `functions()`,
 * `expose()`) share: `timeoutMs`, `timeouts`, `eventual`, and the per-method maps. One reading,
 * one set of messages: a bad shape, an unknown option and a name that is not a method are
 * refused the same way whichever facade is built. `subject` names the call in messages
 * (`facade(Counter)`, `create('Pool')`).
 *
 * Context: pure functions, any thread.
 */
import { messages } from './messages';
import { checkTimeout } from './timeout-arg';

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

/**
 * A method's timeout: its entry in `timeouts`, else its own `@waitFor(ms)`, else the default.
 */
export function methodTimeout(
  subject: string,
  name: string | symbol,
  timeouts: Record<string | symbol, unknown>,
  decorated: number | undefined,
  fallback: number | undefined,
): number | undefined {
  const own = timeouts[name];
  if (own !== undefined) return checkTimeout(own, `${subject} option timeouts.${String(name)}`);
  return decorated ?? fallback;
}
