/*
 * A test-side decoder of the Thrift compact protocol, written from the Apache Thrift spec
 * (doc/specs/thrift-compact-protocol.md) and independent of src/thrift.ts: it reads any
 * message generically (field ids -> values, with their wire types), and only then
 * jaeger-thrift.ts maps field ids to the names of jaeger.thrift / agent.thrift and checks them.
 */
import { emitBatchFrom, newList, newStruct } from './jaeger-thrift';
import type { DecodedBatch, ThriftMessage, ThriftStruct, ThriftValue, WireType } from './jaeger-thrift';

export type { DecodedBatch, DecodedLog, DecodedRef, DecodedSpan, DecodedTag } from './jaeger-thrift';

const T = {
  TRUE: 1,
  FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
};
const WIRE: Record<number, WireType> = {
  [T.TRUE]: 'bool',
  [T.FALSE]: 'bool',
  [T.BYTE]: 'byte',
  [T.I16]: 'i16',
  [T.I32]: 'i32',
  [T.I64]: 'i64',
  [T.DOUBLE]: 'double',
  [T.BINARY]: 'binary',
  [T.LIST]: 'list',
  [T.SET]: 'set',
  [T.MAP]: 'map',
  [T.STRUCT]: 'struct',
};

function wire(type: number): WireType {
  const name = WIRE[type];
  if (!name) throw new Error(`compact: unknown type ${type}`);
  return name;
}

export class CompactReader {
  private _pos = 0;
  constructor(private readonly _buf: Buffer) {}

  get remaining(): number {
    return this._buf.length - this._pos;
  }

  private _byte(): number {
    if (this._pos >= this._buf.length) throw new Error(`compact: read past the end at ${this._pos}`);
    return this._buf[this._pos++]!;
  }

  private _uvarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this._byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('compact: varint too long');
    }
  }

  private _zigzag(): bigint {
    const u = this._uvarint();
    return (u >> 1n) ^ -(u & 1n);
  }

  private _binary(): Buffer {
    const len = Number(this._uvarint());
    if (this._pos + len > this._buf.length) throw new Error('compact: binary past the end');
    const out = this._buf.subarray(this._pos, this._pos + len);
    this._pos += len;
    return Buffer.from(out);
  }

  readMessage(): ThriftMessage {
    const protocolId = this._byte();
    if (protocolId !== 0x82) throw new Error(`compact: bad protocol id 0x${protocolId.toString(16)}`);
    const versionAndType = this._byte();
    const version = versionAndType & 0x1f;
    if (version !== 1) throw new Error(`compact: bad version ${version}`);
    const type = (versionAndType >> 5) & 0x07;
    const seqid = Number(this._uvarint());
    const name = this._binary().toString('utf8');
    return { name, type, seqid, body: this.readStruct() };
  }

  readStruct(): ThriftStruct {
    const struct = newStruct();
    let lastId = 0;
    for (;;) {
      const header = this._byte();
      if (header === 0) return struct.fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this._zigzag()) : lastId + delta;
      lastId = id;
      if (type === T.TRUE || type === T.FALSE) struct.set(id, 'bool', type === T.TRUE);
      else struct.set(id, wire(type), this._readValue(type));
    }
  }

  private _readValue(type: number): ThriftValue {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        return this._byte() === T.TRUE; // bool as a collection element
      case T.BYTE:
        return (this._byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return Number(this._zigzag());
      case T.I64:
        return BigInt.asIntN(64, this._zigzag());
      case T.DOUBLE: {
        if (this._pos + 8 > this._buf.length) throw new Error('compact: double past the end');
        const v = this._buf.readDoubleLE(this._pos);
        this._pos += 8;
        return v;
      }
      case T.BINARY:
        return this._binary();
      case T.LIST:
      case T.SET: {
        const header = this._byte();
        const elementType = header & 0x0f;
        let size = header >> 4;
        if (size === 15) size = Number(this._uvarint());
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this._readValue(elementType));
        return newList(wire(elementType), items);
      }
      case T.MAP: {
        const size = Number(this._uvarint());
        const map = new Map<ThriftValue, ThriftValue>();
        if (size === 0) return map;
        const kv = this._byte();
        for (let i = 0; i < size; i++) map.set(this._readValue(kv >> 4), this._readValue(kv & 0x0f));
        return map;
      }
      case T.STRUCT:
        return this.readStruct();
      default:
        throw new Error(`compact: unknown type ${type} at ${this._pos}`);
    }
  }
}

/** A whole agent datagram: `emitBatch` oneway message -> Batch. Throws unless fully consumed. */
export function decodeCompactEmitBatch(datagram: Buffer): { message: ThriftMessage; batch: DecodedBatch } {
  const reader = new CompactReader(datagram);
  const message = reader.readMessage();
  if (reader.remaining !== 0) throw new Error(`compact: ${reader.remaining} trailing bytes`);
  return { message, batch: emitBatchFrom(message) };
}
