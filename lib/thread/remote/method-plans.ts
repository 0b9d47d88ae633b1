/**
 * Plans the methods of a hosted object's facade from what its class declares (`@waitFor(ms)`,
 * `@runInReactor`, sent by the host as MethodInfo) and the caller's options, with the same
 * planner as `facade()` (lib/method-planner.ts): per-method `timeouts` win over the
 * decorator's timeout, which wins over `timeoutMs`; `eventual` methods return EventualResults;
 * `remote` methods give facades of their results, planned with the options declared for them
 * (`true`: the declaring facade's `timeoutMs`).
 *
 * Context: pure, any thread (a plan is plain data: it crosses threads in handles).
 */
import { messages } from '../../messages';
import {
  checkOptionKeys,
  decideMethod,
  nameList,
  nameMap,
  ownOption,
  type MethodOptions,
} from '../../facade/method-planner';
import { checkTimeout } from '../../declare/timeout-arg';
import type { MethodInfo, MethodPlan, RemotePlan } from '../transport/protocol';

/** The options every hosted facade takes (create() adds its own, see hosted-module.ts). */
export const HOSTED_OPTIONS = ['timeoutMs', 'timeouts', 'eventual', 'remote'] as const;

/**
 * A plan per method. `typed`: the options come from typed code (`create()`, `functions()`,
 * `expose()`, a `remote` entry with options), so they are checked, and a `@runInReactor`
 * method must be listed in `eventual` so that the facade's type says it returns an
 * EventualResult; untyped (a `remote: true` result), such a method is simply eventual.
 */
export function planMethods(
  methods: readonly MethodInfo[],
  options: unknown,
  className: string,
  typed: boolean,
  subject = className,
  allowed: readonly string[] = HOSTED_OPTIONS,
): MethodPlan[] {
  const given = checkOptionKeys(subject, options ?? {}, allowed);
  const known = methods.map((m) => m.name);
  const check = (option: string, names: Iterable<string | symbol>): Set<string> => {
    const set = new Set<string>();
    for (const name of names) {
      if (typeof name !== 'string' || !known.includes(name)) {
        throw new TypeError(messages.unknownMethodOption(subject, className, option, name, known));
      }
      set.add(name);
    }
    return set;
  };
  const eventual = check('eventual', nameList(subject, 'eventual', given['eventual']));
  const timeouts = nameMap(subject, 'timeouts', given['timeouts']);
  check('timeouts', Reflect.ownKeys(timeouts));
  const remote = nameMap(subject, 'remote', given['remote']);
  check('remote', Reflect.ownKeys(remote));
  const fallback =
    given['timeoutMs'] === undefined
      ? undefined
      : checkTimeout(given['timeoutMs'], `${subject} option timeoutMs`);
  const rule: MethodOptions = {
    subject,
    className,
    eventual,
    timeouts,
    fallback,
    eventualMustBeListed: typed,
  };
  return methods.map((info) => ({
    name: info.name,
    ...decideMethod(rule, info.name, info),
    remote: remotePlan(subject, className, info.name, ownOption(remote, info.name), fallback),
  }));
}

function remotePlan(
  subject: string,
  className: string,
  name: string,
  declared: unknown,
  timeoutMs: number | undefined,
): RemotePlan | undefined {
  if (declared === undefined || declared === false) return undefined;
  if (declared === true) {
    return { options: timeoutMs === undefined ? {} : { timeoutMs }, typed: false };
  }
  if (typeof declared !== 'object' || declared === null) {
    throw new TypeError(messages.threadBadRemote(className, name, declared));
  }
  const options = checkOptionKeys(`${subject} option remote.${name}`, declared, HOSTED_OPTIONS);
  return { options: { ...options }, typed: true };
}
