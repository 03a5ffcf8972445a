/*
 * Thrift writers for the Jaeger agent's `emitBatch` call and the collector's `Batch` body, in
 * the compact and the binary protocol.
 *
 * Why hand-written: the Jaeger agent reads compact Thrift on UDP 6831 (the port every Jaeger
 * guide and our schema default use) and binary Thrift on 6832, and the collector's
 * `/api/traces` reads binary Thrift. No maintained npm package writes them: the jaeger-client
 * line (and with it `@opentelemetry/exporter-jaeger` and `thriftrw`, which had binary only) is
 * deprecated and archived, and `thrift` (Apache) needs generated code and drags in a server
 * stack. The subset needed here is small (structs, lists, i32, i64, double, bool, string, one
 * oneway message header), so it is written out below against the Apache Thrift protocol specs
 * (doc/specs/thrift-compact-protocol.md and thrift-binary-protocol.md).
 */
import { type MessageType, TType } from './internal-types';
import type { ThriftProtocol } from './types';

/** Growable byte buffer. */
class ByteSink {
  private _buf = Buffer.allocUnsafe(256);
  private _len = 0;

  private _reserve(n: number): void {
    if (this._len + n <= this._buf.length) return;
    let size = this._buf.length * 2;
    while (size < this._len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this._buf.copy(next, 0, 0, this._len);
    this._buf = next;
  }

  byte(b: number): void {
    this._reserve(1);
    this._buf[this._len++] = b & 0xff;
  }

  bytes(b: Uint8Array): void {
    this._reserve(b.length);
    this._buf.set(b, this._len);
    this._len += b.length;
  }

  int16BE(v: number): void {
    this._reserve(2);
    this._buf.writeInt16BE(v, this._len);
    this._len += 2;
  }

  int32BE(v: number): void {
    this._reserve(4);
    this._buf.writeInt32BE(v | 0, this._len);
    this._len += 4;
  }

  int64BE(v: bigint): void {
    this._reserve(8);
    this._buf.writeBigInt64BE(BigInt.asIntN(64, v), this._len);
    this._len += 8;
  }

  doubleBE(v: number): void {
    this._reserve(8);
    this._buf.writeDoubleBE(v, this._len);
    this._len += 8;
  }

  doubleLE(v: number): void {
    this._reserve(8);
    this._buf.writeDoubleLE(v, this._len);
    this._len += 8;
  }

  /** Unsigned LEB128 of a value below 2^64. */
  varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  /** Unsigned LEB128 of a value below 2^32 (number fast path). */
  varint32(v: number): void {
    let x = v >>> 0;
    while (x >= 0x80) {
      this.byte((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    this.byte(x);
  }

  toBuffer(): Buffer {
    return Buffer.from(this._buf.subarray(0, this._len));
  }
}

/** The operations the Jaeger encoder needs, the same for both protocols. */
export interface ThriftWriter {
  readonly protocol: ThriftProtocol;
  messageBegin(name: string, type: (typeof MessageType)[keyof typeof MessageType], seqid: number): void;
  structBegin(): void;
  /** Writes the field stop and leaves the struct. */
  structEnd(): void;
  fieldBegin(type: TType, id: number): void;
  /** A bool field: in the compact protocol its value lives in the field header. */
  boolField(id: number, value: boolean): void;
  listBegin(elementType: TType, size: number): void;
  i32(v: number): void;
  i64(v: bigint): void;
  double(v: number): void;
  string(v: string): void;
  /** Bytes already encoded by a writer of the same protocol (a whole struct). */
  raw(bytes: Uint8Array): void;
  toBuffer(): Buffer;
}

/** What both protocols write the same way: strings (after their length), raw struct bytes. */
abstract class ByteWriter {
  protected readonly out = new ByteSink();

  /** The length before a string's bytes: a varint (compact) or an i32 (binary). */
  protected abstract length(n: number): void;

  string(v: string): void {
    const b = Buffer.from(v, 'utf8');
    this.length(b.length);
    this.out.bytes(b);
  }

  raw(bytes: Uint8Array): void {
    this.out.bytes(bytes);
  }

  toBuffer(): Buffer {
    return this.out.toBuffer();
  }
}

/** TCompactProtocol type nibbles. */
const CompactType: Record<TType, number> = {
  [TType.BOOL]: 1, // BOOLEAN_TRUE; list elements and field headers carry 1/2 for true/false
  [TType.DOUBLE]: 7,
  [TType.I32]: 5,
  [TType.I64]: 6,
  [TType.STRING]: 8,
  [TType.STRUCT]: 12,
  [TType.LIST]: 9,
};
const COMPACT_PROTOCOL_ID = 0x82;
const COMPACT_VERSION = 1;

const zigzag32 = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;
const zigzag64 = (n: bigint): bigint => BigInt.asUintN(64, (n << 1n) ^ (BigInt.asIntN(64, n) >> 63n));

class CompactWriter extends ByteWriter implements ThriftWriter {
  readonly protocol = 'compact' as const;
  /** Last field id of each open struct: compact field headers hold the delta. */
  private readonly _lastIds: number[] = [];
  private _lastId = 0;

  messageBegin(name: string, type: number, seqid: number): void {
    this.out.byte(COMPACT_PROTOCOL_ID);
    this.out.byte((COMPACT_VERSION & 0x1f) | ((type << 5) & 0xe0));
    this.out.varint32(seqid);
    this.string(name);
  }

  structBegin(): void {
    this._lastIds.push(this._lastId);
    this._lastId = 0;
  }

  structEnd(): void {
    this.out.byte(0); // STOP
    this._lastId = this._lastIds.pop() ?? 0;
  }

  private _header(compactType: number, id: number): void {
    const delta = id - this._lastId;
    if (delta > 0 && delta <= 15) {
      this.out.byte((delta << 4) | compactType);
    } else {
      this.out.byte(compactType);
      this.out.varint32(zigzag32(id));
    }
    this._lastId = id;
  }

  fieldBegin(type: TType, id: number): void {
    this._header(CompactType[type], id);
  }

  boolField(id: number, value: boolean): void {
    this._header(value ? 1 : 2, id);
  }

  listBegin(elementType: TType, size: number): void {
    const t = CompactType[elementType];
    if (size < 15) {
      this.out.byte((size << 4) | t);
    } else {
      this.out.byte(0xf0 | t);
      this.out.varint32(size);
    }
  }

  i32(v: number): void {
    this.out.varint32(zigzag32(v | 0));
  }

  i64(v: bigint): void {
    this.out.varint(zigzag64(v));
  }

  double(v: number): void {
    this.out.doubleLE(v); // the compact protocol writes doubles little-endian
  }

  protected length(n: number): void {
    this.out.varint32(n);
  }
}

const BINARY_VERSION_1 = 0x80010000 | 0;

class BinaryWriter extends ByteWriter implements ThriftWriter {
  readonly protocol = 'binary' as const;

  messageBegin(name: string, type: number, seqid: number): void {
    this.out.int32BE(BINARY_VERSION_1 | type); // strict header, as the agent expects
    this.string(name);
    this.out.int32BE(seqid);
  }

  structBegin(): void {}

  structEnd(): void {
    this.out.byte(0); // STOP
  }

  fieldBegin(type: TType, id: number): void {
    this.out.byte(type);
    this.out.int16BE(id);
  }

  boolField(id: number, value: boolean): void {
    this.fieldBegin(TType.BOOL, id);
    this.out.byte(value ? 1 : 0);
  }

  listBegin(elementType: TType, size: number): void {
    this.out.byte(elementType);
    this.out.int32BE(size);
  }

  i32(v: number): void {
    this.out.int32BE(v);
  }

  i64(v: bigint): void {
    this.out.int64BE(v);
  }

  double(v: number): void {
    this.out.doubleBE(v);
  }

  protected length(n: number): void {
    this.out.int32BE(n);
  }
}

export function createThriftWriter(protocol: ThriftProtocol): ThriftWriter {
  return protocol === 'compact' ? new CompactWriter() : new BinaryWriter();
}
