/**
 * The options of `new ReactorThread(options)`, checked when the thread is built: a bad value
 * gets an error that names the option and quotes the value, instead of a failure at the first
 * `load()` (or none: a negative spin budget, an unknown key, a timeout given as a string).
 *
 * Context: the thread that builds the ReactorThread.
 */
import { checkTimeout } from '../declare/timeout-arg';
import { checkOptionKeys } from '../facade/method-planner';
import { messages } from '../messages';
import type { ReactorThreadOptions } from './reactor-thread';

const SUBJECT = 'new ReactorThread()';
/** The option names `new ReactorThread()` knows (specs assert against it). */
export const THREAD_OPTIONS: readonly string[] = [
  'name',
  'execArgv',
  'startTimeoutMs',
  'stopTimeoutMs',
  'spinMicros',
  'controller',
  'resourceLimits',
];
const LIMITS = [
  'maxYoungGenerationSizeMb',
  'maxOldGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
];

/** `options`, checked (see the module comment); throws TypeError or RangeError. */
export function checkThreadOptions(options: unknown): ReactorThreadOptions {
  const given = checkOptionKeys(SUBJECT, options, THREAD_OPTIONS);
  const { name, execArgv, startTimeoutMs, stopTimeoutMs, spinMicros, resourceLimits } = given;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(messages.badOption(SUBJECT, 'name', 'a non-empty string', name));
  }
  if (
    execArgv !== undefined &&
    (!Array.isArray(execArgv) || !execArgv.every((arg) => typeof arg === 'string'))
  ) {
    throw new TypeError(messages.badOption(SUBJECT, 'execArgv', 'an array of strings', execArgv));
  }
  if (startTimeoutMs !== undefined)
    checkTimeout(startTimeoutMs, `${SUBJECT} option startTimeoutMs`);
  if (stopTimeoutMs !== undefined) checkTimeout(stopTimeoutMs, `${SUBJECT} option stopTimeoutMs`);
  const budgets = nested('spinMicros', spinMicros, ['caller', 'host']);
  for (const [key, value] of Object.entries(budgets)) {
    // A spin of over a second is never what anyone wants: a typo in the unit, most likely.
    checkNumber(`spinMicros.${key}`, value, 'microseconds from 0 to 1000000', 0, 1_000_000);
  }
  const limits = nested('resourceLimits', resourceLimits, LIMITS);
  for (const [key, value] of Object.entries(limits)) {
    checkNumber(`resourceLimits.${key}`, value, 'megabytes > 0', Number.MIN_VALUE, Infinity);
  }
  return given as ReactorThreadOptions;
}

/** An option that is an object of its own, with its keys checked ({} when not given). */
function nested(option: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) {
    const expected = `an object with ${keys.join(', ')}`;
    throw new TypeError(messages.badOption(SUBJECT, option, expected, value));
  }
  return checkOptionKeys(`${SUBJECT} option ${option}`, value, keys);
}

function checkNumber(option: string, value: unknown, unit: string, least: number, most: number) {
  if (value === undefined) return;
  const expected = `a finite number of ${unit}`;
  if (typeof value !== 'number') {
    throw new TypeError(messages.badOption(SUBJECT, option, expected, value));
  }
  if (!Number.isFinite(value) || value < least || value > most) {
    throw new RangeError(messages.badOption(SUBJECT, option, expected, value));
  }
}
