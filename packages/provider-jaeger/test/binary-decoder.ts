/*
 * A test-side decoder of the Thrift binary protocol, written from the Apache Thrift spec
 * (doc/specs/thrift-binary-protocol.md) and independent of src/thrift.ts, in place of the
 * thriftrw reference decoder that left with the jaeger-client line. Like compact-decoder.ts it
 * reads generically (field ids -> values, with their wire types); jaeger-thrift.ts then checks
 * them against jaeger.thrift. Everything is big-endian; strict message headers only (what the
 * Jaeger agent and collector accept).
 */
import { batchFrom, emitBatchFrom, newList, newStruct } from './jaeger-thrift';
import type { DecodedBatch, ThriftMessage, ThriftStruct, ThriftValue, WireType } from './jaeger-thrift';

const T = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  BINARY: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
};
const WIRE: Record<number, WireType> = {
  [T.BOOL]: 'bool',
  [T.BYTE]: 'byte',
  [T.DOUBLE]: 'double',
  [T.I16]: 'i16',
  [T.I32]: 'i32',
  [T.I64]: 'i64',
  [T.BINARY]: 'binary',
  [T.STRUCT]: 'struct',
  [T.MAP]: 'map',
  [T.SET]: 'set',
  [T.LIST]: 'list',
};
const VERSION_1 = 0x80010000;

function wire(type: number): WireType {
  const name = WIRE[type];
  if (!name) throw new Error(`binary: unknown type ${type}`);
  return name;
}

export class BinaryReader {
  private _pos = 0;
  constructor(private readonly _buf: Buffer) {}

  get remaining(): number {
    return this._buf.length - this._pos;
  }

  /** Moves past `n` bytes and returns where they start; throws when they are not all there. */
  private _take(n: number): number {
    if (n < 0 || this._pos + n > this._buf.length)
      throw new Error(`binary: read of ${n} byte(s) past the end at ${this._pos}`);
    const at = this._pos;
    this._pos += n;
    return at;
  }

  private _i8(): number {
    return this._buf.readInt8(this._take(1));
  }

  private _i16(): number {
    return this._buf.readInt16BE(this._take(2));
  }

  private _i32(): number {
    return this._buf.readInt32BE(this._take(4));
  }

  private _size(): number {
    const n = this._i32();
    if (n < 0) throw new Error(`binary: negative size ${n}`);
    return n;
  }

  private _binary(): Buffer {
    const len = this._size();
    const at = this._take(len);
    return Buffer.from(this._buf.subarray(at, at + len));
  }

  readMessage(): ThriftMessage {
    const header = this._buf.readUInt32BE(this._take(4));
    if ((header & 0xffff0000) >>> 0 !== VERSION_1)
      throw new Error(`binary: not a strict version-1 header: 0x${header.toString(16)}`);
    if ((header & 0x0000ff00) !== 0) throw new Error(`binary: unused header bits set: 0x${header.toString(16)}`);
    const type = header & 0xff;
    const name = this._binary().toString('utf8');
    const seqid = this._i32();
    return { name, type, seqid, body: this.readStruct() };
  }

  readStruct(): ThriftStruct {
    const struct = newStruct();
    for (;;) {
      const type = this._i8();
      if (type === T.STOP) return struct.fields;
      const id = this._i16();
      struct.set(id, wire(type), this._readValue(type));
    }
  }

  private _readValue(type: number): ThriftValue {
    switch (type) {
      case T.BOOL: {
        const b = this._i8();
        if (b !== 0 && b !== 1) throw new Error(`binary: bool byte ${b}`);
        return b === 1;
      }
      case T.BYTE:
        return this._i8();
      case T.I16:
        return this._i16();
      case T.I32:
        return this._i32();
      case T.I64:
        return this._buf.readBigInt64BE(this._take(8));
      case T.DOUBLE:
        return this._buf.readDoubleBE(this._take(8));
      case T.BINARY:
        return this._binary();
      case T.STRUCT:
        return this.readStruct();
      case T.LIST:
      case T.SET: {
        const elementType = this._i8();
        const size = this._size();
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this._readValue(elementType));
        return newList(wire(elementType), items);
      }
      case T.MAP: {
        const keyType = this._i8();
        const valueType = this._i8();
        const size = this._size();
        const map = new Map<ThriftValue, ThriftValue>();
        for (let i = 0; i < size; i++) map.set(this._readValue(keyType), this._readValue(valueType));
        return map;
      }
      default:
        throw new Error(`binary: unknown type ${type} at ${this._pos}`);
    }
  }
}

/** A whole agent datagram (port 6832): `emitBatch` oneway message -> Batch. Throws unless fully consumed. */
export function decodeBinaryEmitBatch(datagram: Buffer): { message: ThriftMessage; batch: DecodedBatch } {
  const reader = new BinaryReader(datagram);
  const message = reader.readMessage();
  if (reader.remaining !== 0) throw new Error(`binary: ${reader.remaining} trailing bytes`);
  return { message, batch: emitBatchFrom(message) };
}

/** A collector POST body: a bare binary `Batch` struct, fully consumed. */
export function decodeBinaryBatch(body: Buffer): DecodedBatch {
  const reader = new BinaryReader(body);
  const batch = batchFrom(reader.readStruct());
  if (reader.remaining !== 0) throw new Error(`binary: ${reader.remaining} trailing bytes`);
  return batch;
}
