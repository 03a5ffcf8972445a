/*
 * A test-side decoder of the Thrift compact protocol, written from the Apache Thrift spec
 * (doc/specs/thrift-compact-protocol.md) and independent of src/thrift.ts: it reads any
 * message generically (field ids -> values), and only then maps field ids to the names of
 * jaeger.thrift / agent.thrift.
 */

export type ThriftValue = boolean | number | bigint | Buffer | ThriftValue[] | ThriftStruct | Map<ThriftValue, ThriftValue>;
export type ThriftStruct = Map<number, ThriftValue>;

export interface ThriftMessage {
  name: string;
  type: number;
  seqid: number;
  body: ThriftStruct;
}

const T = { TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 };

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
    const fields: ThriftStruct = new Map();
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : lastId + delta;
      lastId = id;
      if (type === T.TRUE || type === T.FALSE) fields.set(id, type === T.TRUE);
      else fields.set(id, this.readValue(type));
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
        return items;
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

/* ---- field ids of jaeger.thrift, mapped to plain objects (shared shape with the thriftrw path) ---- */

export interface DecodedTag {
  key: string;
  vType: number;
  value: string | number | boolean | bigint | undefined;
}
export interface DecodedLog {
  timestamp: bigint;
  fields: DecodedTag[];
}
export interface DecodedRef {
  refType: number;
  traceIdLow: bigint;
  traceIdHigh: bigint;
  spanId: bigint;
}
export interface DecodedSpan {
  traceIdLow: bigint;
  traceIdHigh: bigint;
  spanId: bigint;
  parentSpanId: bigint;
  operationName: string;
  references: DecodedRef[];
  flags: number;
  startTime: bigint;
  duration: bigint;
  tags: DecodedTag[];
  logs: DecodedLog[];
}
export interface DecodedBatch {
  process: { serviceName: string; tags: DecodedTag[] };
  spans: DecodedSpan[];
}

function req<T extends ThriftValue>(s: ThriftStruct, id: number, what: string): T {
  if (!s.has(id)) throw new Error(`missing required field ${id} (${what})`);
  return s.get(id) as T;
}
const str = (v: ThriftValue): string => (v as Buffer).toString('utf8');
const list = (s: ThriftStruct, id: number): ThriftStruct[] => ((s.get(id) as ThriftValue[] | undefined) ?? []) as ThriftStruct[];

function tagFrom(s: ThriftStruct): DecodedTag {
  const vType = req<number>(s, 2, 'Tag.vType');
  const byType: Record<number, number> = { 0: 3, 1: 4, 2: 5, 3: 6, 4: 7 };
  const raw = s.get(byType[vType]!);
  return { key: str(req(s, 1, 'Tag.key')), vType, value: vType === 0 && raw ? str(raw) : (raw as DecodedTag['value']) };
}

export function spanFrom(s: ThriftStruct): DecodedSpan {
  return {
    traceIdLow: req(s, 1, 'traceIdLow'),
    traceIdHigh: req(s, 2, 'traceIdHigh'),
    spanId: req(s, 3, 'spanId'),
    parentSpanId: req(s, 4, 'parentSpanId'),
    operationName: str(req(s, 5, 'operationName')),
    references: list(s, 6).map((r) => ({
      refType: req<number>(r, 1, 'refType'),
      traceIdLow: req<bigint>(r, 2, 'ref.traceIdLow'),
      traceIdHigh: req<bigint>(r, 3, 'ref.traceIdHigh'),
      spanId: req<bigint>(r, 4, 'ref.spanId'),
    })),
    flags: req(s, 7, 'flags'),
    startTime: req(s, 8, 'startTime'),
    duration: req(s, 9, 'duration'),
    tags: list(s, 10).map(tagFrom),
    logs: list(s, 11).map((l) => ({ timestamp: req<bigint>(l, 1, 'Log.timestamp'), fields: list(l, 2).map(tagFrom) })),
  };
}

export function batchFrom(s: ThriftStruct): DecodedBatch {
  const process = req<ThriftStruct>(s, 1, 'Batch.process');
  return {
    process: { serviceName: str(req(process, 1, 'Process.serviceName')), tags: list(process, 2).map(tagFrom) },
    spans: (req<ThriftValue[]>(s, 2, 'Batch.spans') as ThriftStruct[]).map(spanFrom),
  };
}

/** A whole agent datagram: `emitBatch` oneway message -> Batch. Throws unless fully consumed. */
export function decodeCompactEmitBatch(datagram: Buffer): { message: ThriftMessage; batch: DecodedBatch } {
  const reader = new CompactReader(datagram);
  const message = reader.readMessage();
  if (reader.remaining !== 0) throw new Error(`compact: ${reader.remaining} trailing bytes`);
  return { message, batch: batchFrom(req<ThriftStruct>(message.body, 1, 'emitBatch_args.batch')) };
}
