/**
 * The message for a decorator put on something that is not a method (`messages.notAMethod`,
 * which is this module's `notAMethod`): what it was put on, the decorator mode it was applied
 * in, and what to do instead, which depends on what it was misused on. Kept apart from the
 * table of messages (messages.ts) for its size.
 *
 * Context: any thread; text only.
 */
import { quote } from '../quote';

/**
 * The calling convention a decorator was applied with: TypeScript's `experimentalDecorators`
 * (`(target, key, descriptor)`), or standard TC39 decorators (`(value, context)`), what
 * TypeScript 5+ emits by default and esbuild (tsx, Vite, Vitest) emits without that option.
 * `'legacy-or-function'` is a single argument: a legacy class decorator or the function form.
 */
export type DecoratorMode = 'legacy' | 'standard' | 'legacy-or-function';

/** What a decorator was put on instead of a method. */
export type MisusedMember =
  'field' | 'getter' | 'setter' | 'accessor' | 'auto-accessor' | 'class' | 'value';

const modeText: Record<DecoratorMode, string> = {
  legacy: 'legacy decorators detected: experimentalDecorators is on',
  standard:
    'standard decorators detected: TypeScript 5+ without experimentalDecorators, or esbuild ' +
    '(tsx, Vite, Vitest)',
  'legacy-or-function': 'a single argument: a legacy class decorator or the function form',
};

const memberText: Record<MisusedMember, string> = {
  field: 'a field',
  getter: 'a getter',
  setter: 'a setter',
  accessor: 'an accessor (get/set)',
  'auto-accessor': "an auto-accessor ('accessor' field)",
  class: 'a class',
  value: '',
};

/** What to do instead, with the function form of the same decorator ('@waitFor(10)' → 'waitFor(10)(fn)'). */
function memberAdvice(decorator: string, member: MisusedMember, name: string): string {
  const wrapper = `${decorator.replace(/^@/, '')}(fn)`;
  switch (member) {
    case 'field':
    case 'auto-accessor':
      return (
        `Declare a method instead (${name}(...) { ... }), or wrap the function where the field ` +
        `is initialised: ${name} = ${wrapper}.`
      );
    case 'getter':
    case 'setter':
    case 'accessor':
      return 'A property access cannot be reactor-bound: make it a method and decorate that.';
    case 'class':
      return (
        'Decorate its methods one by one, or generate a blocking facade of the whole class: ' +
        'facade(ServiceClass, { timeoutMs }).'
      );
    case 'value':
      return 'Put it on a method declaration.';
  }
}

/** `messages.notAMethod`: `decorator` was put on `name`, which is a `member`, not a method. */
export const notAMethod = (
  decorator: string,
  mode: DecoratorMode,
  name: string | symbol,
  member: MisusedMember,
  value?: unknown,
): string =>
  `crochet: ${decorator} can only decorate a method, but ${String(name)} is ` +
  `${memberText[member]}${member === 'value' ? quote(value) : ''} (${modeText[mode]}). ` +
  memberAdvice(decorator, member, String(name));
