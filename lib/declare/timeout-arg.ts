import { messages } from '../messages';

/** Validates a timeout given by the user: a TypeError for a non-number, a RangeError otherwise. */
export function checkTimeout(value: unknown, where: string): number {
  if (typeof value !== 'number') throw new TypeError(messages.badTimeout(value, where));
  if (!Number.isFinite(value) || value < 0) throw new RangeError(messages.badTimeout(value, where));
  return value;
}
