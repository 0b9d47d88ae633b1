import { inspect } from 'node:util';

/** Renders a user-supplied value for an error message: short, one line, never throws. */
export function quote(value: unknown): string {
  try {
    return inspect(value, {
      depth: 1,
      breakLength: Infinity,
      maxArrayLength: 5,
      maxStringLength: 80,
    });
  } catch {
    return Object.prototype.toString.call(value);
  }
}
