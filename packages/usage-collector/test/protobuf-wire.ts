// A few lines of protobuf writer for the reader's tests: bodies protobufjs' encoder cannot
// produce (unknown fields of every wire type, repeated scalars packed or not, a field twice,
// fields out of order, invalid UTF-8, 10-byte varints) are what a reader has to get right.

/** A varint: the unsigned 64-bit two's complement of `v` (a negative int64 takes 10 bytes). */
export function varint(v: bigint | number): Buffer {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}

export const tag = (field: number, wireType: number): Buffer => varint((field << 3) | wireType);

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/** A length-delimited field: a message, a string's bytes or a packed list. */
export const lenField = (field: number, bytes: Uint8Array): Buffer =>
  Buffer.concat([tag(field, LEN), varint(bytes.length), bytes]);

export const stringField = (field: number, s: string | Uint8Array): Buffer =>
  lenField(field, typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

export const varintField = (field: number, v: bigint | number): Buffer =>
  Buffer.concat([tag(field, VARINT), varint(v)]);

export function fixed64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}

export function double(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
}

export const fixed64Field = (field: number, v: bigint): Buffer => Buffer.concat([tag(field, I64), fixed64(v)]);
export const doubleField = (field: number, v: number): Buffer => Buffer.concat([tag(field, I64), double(v)]);
export const fixed32Field = (field: number, v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return Buffer.concat([tag(field, I32), b]);
};
