/**
 * Whether a function is built into the runtime (its source reads `[native code]`): the class of
 * a native object (a socket's handle, a Node.js binding), as opposed to one written in
 * JavaScript. Used to tell native handles from JS objects (core/callback-handle.ts) and native
 * instances from data (thread/transport/by-value.ts).
 *
 * Context: any thread.
 */
const nativeSource = /\{\s*\[native code\]\s*\}\s*$/;

export function isNativeFunction(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  try {
    return nativeSource.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}
