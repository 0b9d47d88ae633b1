/**
 * The two calling conventions of `@waitFor(ms)` / `@runInReactor`, and misuse of either.
 *
 * - Legacy decorators (TypeScript's `experimentalDecorators`): `(target, key, descriptor)`; the
 *   decorator replaces `descriptor.value` and registers on the class (`target` is the prototype,
 *   or the class for a static method).
 * - Standard decorators (TC39; what TypeScript 5+ emits without `experimentalDecorators`, and
 *   esbuild without it, so tsx, Vite and Vitest): `(value, context)` with `context.kind`; the
 *   decorator returns the replacement. It is never given the class, so registration goes
 *   through `context.metadata`, the object that becomes `Class[Symbol.metadata]` (see
 *   `registerStandardMethod` in reactor-methods.ts).
 *
 * A call is standard exactly when its second argument is an object with a string `kind`: a
 * legacy decorator's second argument is a property key, and the function form has one argument.
 *
 * `Symbol.metadata`: TypeScript's output only creates `context.metadata` when `Symbol.metadata`
 * exists when the class is defined, and no Node.js release defines it yet. So loading this module
 * sets `Symbol.metadata` to `Symbol.for('Symbol.metadata')` when it is missing: the symbol that
 * esbuild (and Babel) already fall back to, so that classes compiled by any of them agree. A
 * runtime or a polyfill that defines it first is kept.
 */
import type { ReactorMethodKind } from '../core/call-context';
import { messages } from '../messages';
import type { MisusedMember } from './misuse-text';
import { registerStandardMethod } from './reactor-methods';

const symbols = Symbol as unknown as { metadata?: symbol };
symbols.metadata ??= Symbol.for('Symbol.metadata');

/** The part of a standard decorator context crochet reads. */
export interface StandardContext {
  readonly kind: string;
  readonly name: string | symbol;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: object | undefined;
}

/** Whether the second argument of a decorator call is a standard decorator context. */
export function isStandardContext(value: unknown): value is StandardContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

const STANDARD_MEMBERS: Readonly<Record<string, MisusedMember>> = {
  field: 'field',
  getter: 'getter',
  setter: 'setter',
  accessor: 'auto-accessor',
  class: 'class',
};

/**
 * Applies a standard method decorator: checks that it decorates a method, builds the replacement
 * with `bind` (the same reactor-bound wrapper legacy decorators install) and registers it.
 * Returns the replacement, which the class then holds in place of `value`.
 */
export function decorateStandard(
  decoratorName: string,
  kind: ReactorMethodKind,
  timeoutMs: number | undefined,
  value: unknown,
  context: StandardContext,
  bind: (fn: (...args: unknown[]) => unknown, what: string) => (...args: unknown[]) => unknown,
): (...args: unknown[]) => unknown {
  const name = context.name;
  if (context.kind !== 'method' || typeof value !== 'function') {
    const member = STANDARD_MEMBERS[context.kind] ?? 'value';
    throw new TypeError(messages.notAMethod(decoratorName, 'standard', name, member, value));
  }
  const isStatic = context.static === true;
  // A standard decorator is not told its class: the method is named without it.
  const what = `${decoratorName} method ${isStatic ? 'static ' : ''}${String(name)}()`;
  const wrapper = bind(value as (...args: unknown[]) => unknown, what);
  // A #private method is bound to the reactor all the same, but it is not a property of the
  // class: reactorMethods() (and so facades) cannot list it.
  if (context.private !== true) {
    registerStandardMethod(context.metadata, wrapper, name, kind, timeoutMs, isStatic);
  }
  return wrapper;
}

/** What a legacy decorator was put on, from its descriptor, when that is not a method. */
export function legacyMember(descriptor: PropertyDescriptor | undefined): MisusedMember {
  if (descriptor === undefined) return 'field';
  if (descriptor.get !== undefined && descriptor.set !== undefined) return 'accessor';
  if (descriptor.get !== undefined) return 'getter';
  if (descriptor.set !== undefined) return 'setter';
  return 'value';
}

/** Whether a function is a class (`class X {}`), which no decorator of ours can wrap. */
export function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class\b/.test(Function.prototype.toString.call(fn));
}
