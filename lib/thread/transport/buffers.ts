/**
 * Buffers as they cross threads. Structured clone copies a `Buffer` as a plain `Uint8Array`
 * (its class is not one it knows), so `readFile()` in a reactor thread gave the caller bytes
 * whose `toString()` read "47,47,32,…". by-value.ts sends each Buffer as a wrapper
 * (`{ $crochetBuffer: Uint8Array }`, its bytes copied to an exact-size array: a small Buffer is
 * a view of an 8 KB pool, which structured clone would copy whole) and marks the message; the
 * receiving side turns the wrappers back into Buffers, only for marked messages (plain data pays
 * nothing).
 *
 * Context: any thread (the host's for results and arguments it receives, the caller's for
 * results it receives).
 */

export const BUFFER_KEY = '$crochetBuffer';

/** A Buffer as it crosses. */
export interface WireBuffer {
  readonly [BUFFER_KEY]: Uint8Array;
}

export function wireBuffer(buffer: Buffer): WireBuffer {
  return { [BUFFER_KEY]: new Uint8Array(buffer) };
}

function isWireBuffer(value: object): value is WireBuffer {
  return (
    Object.getPrototypeOf(value) === Object.prototype &&
    (value as Partial<WireBuffer>)[BUFFER_KEY] instanceof Uint8Array &&
    Object.keys(value).length === 1
  );
}

/**
 * `value` with every wrapper made a Buffer again (over the same bytes: no copy). Containers are
 * changed in place; the same wrapper met twice gives the same Buffer; cycles are kept.
 */
export function restoreBuffers(value: unknown): unknown {
  return new BufferRestorer().restore(value);
}

class BufferRestorer {
  private readonly seen = new Set<object>();
  private readonly buffers = new Map<WireBuffer, Buffer>();

  restore(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (isWireBuffer(value)) return this.buffer(value);
    if (this.seen.has(value)) return value;
    this.seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) value[i] = this.restore(value[i]);
    } else if (value instanceof Map) {
      const entries = [...value].map(([k, v]) => [this.restore(k), this.restore(v)] as const);
      value.clear();
      for (const [k, v] of entries) value.set(k, v);
    } else if (value instanceof Set) {
      const items = [...value].map((item) => this.restore(item));
      value.clear();
      for (const item of items) value.add(item);
    } else {
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto === Object.prototype || proto === null) {
        const record = value as Record<string, unknown>;
        for (const key of Object.keys(record)) record[key] = this.restore(record[key]);
      }
    }
    return value;
  }

  private buffer(wire: WireBuffer): Buffer {
    let buffer = this.buffers.get(wire);
    if (buffer === undefined) {
      const bytes = wire[BUFFER_KEY];
      buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.buffers.set(wire, buffer);
    }
    return buffer;
  }
}
