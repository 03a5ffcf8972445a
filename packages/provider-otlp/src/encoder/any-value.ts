/**
 * Attributes as repeated KeyValue, and AnyValue of every kind (string, bool, int, double,
 * array, kvlist, bytes), written from the attribute values themselves.
 *
 * The kind of a value is decided exactly as @opentelemetry/otlp-transformer decides it, so the
 * bytes match: an integer in [-2^63, 2^63) is an int (a negative one as a 10-byte varint),
 * any other number (fractions, NaN, ±Infinity, huge integers) a double; a Uint8Array is bytes;
 * an array's items are AnyValues (null and undefined items are empty ones); another object is
 * a kvlist of its own enumerable keys; anything else (undefined, null, a function, a bigint) is
 * an empty AnyValue.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ProtoWriter } from './proto-writer';

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
const hasOwn = Object.prototype.hasOwnProperty;

/** Each own attribute as a KeyValue in field `field` (in key order, as `for...in` gives it). */
export function writeAttributes(w: ProtoWriter, attributes: Attributes | Record<string, unknown>, field: number): void {
  for (const key in attributes) {
    if (!hasOwn.call(attributes, key)) continue;
    w.tag(field, 2);
    const kv = w.begin(1);
    writeKeyValueBody(w, key, (attributes as Record<string, unknown>)[key]);
    w.end(kv, 1);
  }
}

/** The fields of a KeyValue: key (1), value (2). */
function writeKeyValueBody(w: ProtoWriter, key: string, value: unknown): void {
  w.tag(1, 2);
  w.string(key);
  w.tag(2, 2);
  const v = w.begin(1);
  writeAnyValueBody(w, value);
  w.end(v, 1);
}

/** The one field of an AnyValue that carries `value` (none for an empty one). */
export function writeAnyValueBody(w: ProtoWriter, value: unknown): void {
  const t = typeof value;
  if (t === 'string') {
    w.tag(1, 2);
    w.string(value as string);
  } else if (t === 'boolean') {
    w.tag(2, 0);
    w.varint(value ? 1 : 0);
  } else if (t === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64) {
      w.tag(3, 0);
      w.varint(n);
    } else {
      w.tag(4, 1);
      w.double(n);
    }
  } else if (value instanceof Uint8Array) {
    w.tag(7, 2);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, 2);
    const list = w.begin(1);
    for (const item of value as unknown[]) {
      w.tag(1, 2);
      const one = w.begin(1);
      writeAnyValueBody(w, item);
      w.end(one, 1);
    }
    w.end(list, 1);
  } else if (t === 'object' && value != null) {
    w.tag(6, 2);
    const list = w.begin(1);
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      if (!hasOwn.call(obj, key)) continue;
      w.tag(1, 2);
      const kv = w.begin(1);
      writeKeyValueBody(w, key, obj[key]);
      w.end(kv, 1);
    }
    w.end(list, 1);
  }
}
