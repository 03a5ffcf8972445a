/*
 * A test-side decoder of the Thrift compact protocol, written from the Apache Thrift spec
 * (doc/specs/thrift-compact-protocol.md) and independent of src/thrift.ts: it reads any
 * message generically (field ids -> values, with their wire types), and only then
 * jaeger-thrift.ts maps field ids to the names of jaeger.thrift / agent.thrift and checks them.
 */
import { emitBatchFrom, newList, newStruct } from './jaeger-thrift';
import type { DecodedBatch, ThriftMessage, ThriftStruct, ThriftValue, WireType } from './jaeger-thrift';

export type { DecodedBatch, DecodedLog, DecodedRef, DecodedSpan, DecodedTag } from './jaeger-thrift';

const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 };
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
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error(`compact: read past the end at ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  private uvarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('compact: varint too long');
    }
  }

  private zigzag(): bigint {
    const u = this.uvarint();
    return (u >> 1n) ^ -(u & 1n);
  }

  private binary(): Buffer {
    const len = Number(this.uvarint());
    if (this.pos + len > this.buf.length) throw new Error('compact: binary past the end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return Buffer.from(out);
  }

  readMessage(): ThriftMessage {
    const protocolId = this.byte();
    if (protocolId !== 0x82) throw new Error(`compact: bad protocol id 0x${protocolId.toString(16)}`);
    const versionAndType = this.byte();
    const version = versionAndType & 0x1f;
    if (version !== 1) throw new Error(`compact: bad version ${version}`);
    const type = (versionAndType >> 5) & 0x07;
    const seqid = Number(this.uvarint());
    const name = this.binary().toString('utf8');
    return { name, type, seqid, body: this.readStruct() };
  }

  readStruct(): ThriftStruct {
    const struct = newStruct();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return struct.fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : lastId + delta;
      lastId = id;
      if (type === T.TRUE || type === T.FALSE) struct.set(id, 'bool', type === T.TRUE);
      else struct.set(id, wire(type), this.readValue(type));
    }
  }

  private readValue(type: number): ThriftValue {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        return this.byte() === T.TRUE; // bool as a collection element
      case T.BYTE:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return BigInt.asIntN(64, this.zigzag());
      case T.DOUBLE: {
        if (this.pos + 8 > this.buf.length) throw new Error('compact: double past the end');
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case T.BINARY:
        return this.binary();
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const elementType = header & 0x0f;
        let size = header >> 4;
        if (size === 15) size = Number(this.uvarint());
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.readValue(elementType));
        return newList(wire(elementType), items);
      }
      case T.MAP: {
        const size = Number(this.uvarint());
        const map = new Map<ThriftValue, ThriftValue>();
        if (size === 0) return map;
        const kv = this.byte();
        for (let i = 0; i < size; i++) map.set(this.readValue(kv >> 4), this.readValue(kv & 0x0f));
        return map;
      }
      case T.STRUCT:
        return this.readStruct();
      default:
        throw new Error(`compact: unknown type ${type} at ${this.pos}`);
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
