/**
 * Protobuf wire primitives over one reused, growable buffer.
 *
 * Every method reproduces, byte for byte, what @opentelemetry/otlp-transformer 0.301.0's
 * ProtobufWriter writes for the same input (its varint of a negative or fractional number,
 * its hex decoding of a malformed id, its UTF-8 of a lone surrogate), because the encoder's
 * test compares whole requests with upstream's. What differs is how: no size-estimation pass
 * (the length of a nested message is reserved, then patched, moving the message when the
 * guess was wrong), no Uint8Array per trace or span id, no TextEncoder output per non-ASCII
 * string, and a buffer that lives as long as the encoder instead of one per request.
 */

/** Above this, a buffer grown by a huge batch is dropped at the next request rather than kept. */
const MAX_RETAINED_BYTES = 8 * 1024 * 1024;

/** Bytes of the varint of a non-negative length (what a length prefix needs). */
export function lengthVarintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** A hex digit's value, as upstream's hexToBinary computes it (no validation, same garbage out). */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return c - 55;
}

export class ProtoWriter {
  /** Next byte to write. */
  pos = 0;
  private _buf: Buffer;
  private _view: DataView;
  private readonly _initialSize: number;

  constructor(initialSize = 64 * 1024) {
    this._initialSize = initialSize;
    this._buf = Buffer.allocUnsafeSlow(initialSize);
    this._view = new DataView(this._buf.buffer, this._buf.byteOffset, this._buf.byteLength);
  }

  /** Starts a new message at offset 0; a buffer a huge batch grew is let go here. */
  reset(): void {
    this.pos = 0;
    if (this._buf.length > MAX_RETAINED_BYTES) this._replace(Buffer.allocUnsafeSlow(this._initialSize));
  }

  /** The bytes written since `reset()`: a view, valid until the next `reset()`. */
  written(): Uint8Array {
    return this._buf.subarray(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this._buf.length) return;
    let size = this._buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this._buf.copy(grown, 0, 0, this.pos);
    this._replace(grown);
  }

  /** A field key; keys of OTLP fields are one byte, except those of fields 16 and up. */
  tag(field: number, wireType: number): void {
    const v = (field << 3) | wireType;
    if (v < 0x80) {
      this.ensure(1);
      this._buf[this.pos++] = v;
    } else this.varint(v);
  }

  /**
   * A varint, with upstream's conversions: a negative number as its 10-byte two's complement,
   * a fraction truncated, anything else (NaN, undefined) as upstream makes of it (0).
   */
  varint(value: number): void {
    this.ensure(10);
    const buf = this._buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 127) {
        buf[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 4294967296) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 4294967296) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 127) {
      buf[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 127;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this._buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    const buf = this._buf;
    buf.writeUInt32LE(low >>> 0, this.pos);
    buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /**
   * An HrTime `[seconds, nanoseconds]` as fixed64 nanoseconds, split into 32-bit halves the
   * way upstream does it (a double cannot hold today's nanoseconds exactly).
   */
  hrTime(time: readonly [number, number]): void {
    const seconds = time[0];
    const nanos = time[1];
    const fromLowSeconds = (seconds & 65535) * 1e9;
    const fromHighSeconds = ((seconds / 65536) >>> 0) * 1e9;
    // Same operations in the same order as upstream, so that odd inputs round the same way.
    const lowWithCarry = (fromLowSeconds >>> 0) + (((fromHighSeconds & 65535) * 65536) >>> 0) + nanos;
    const carry = Math.floor(lowWithCarry / 4294967296);
    const high = (Math.floor(fromLowSeconds / 4294967296) + ((fromHighSeconds / 65536) >>> 0) + carry) >>> 0;
    this.fixed64(lowWithCarry >>> 0, high);
  }

  /** A double, little-endian, through a DataView as upstream writes it (same NaN bits). */
  double(value: number): void {
    this.ensure(8);
    this._view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * A length-prefixed UTF-8 string. ASCII (nearly every key and value) is copied as it is
   * checked; at the first other character the string is written again by Buffer#write, whose
   * UTF-8 (a lone surrogate becomes U+FFFD) is TextEncoder's, which upstream uses.
   */
  string(s: string): void {
    const n = s.length;
    const start = this.pos;
    // Short strings (nearly all of them) take a one-byte length and a single capacity check.
    if (n < 128) {
      this.ensure(n + 1);
      this._buf[start] = n;
      this.pos = start + 1;
    } else {
      this.varint(n);
      this.ensure(n);
    }
    const buf = this._buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        this.pos = start;
        this._utf8(s);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** Length-prefixed bytes. */
  bytes(value: Uint8Array): void {
    const n = value.length;
    this.varint(n);
    this.ensure(n);
    this._buf.set(value, this.pos);
    this.pos += n;
  }

  /** A hex id (trace or span id) as length-prefixed bytes, decoded in place. */
  hexBytes(hex: string): void {
    const n = Math.floor(hex.length / 2);
    this.varint(n);
    this.ensure(n);
    const buf = this._buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      buf[p++] = (hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1));
    }
    this.pos = p;
  }

  /** Bytes encoded earlier (a cached message), as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this._buf.set(value, this.pos);
    this.pos += value.length;
  }

  /**
   * Opens a nested message: reserves `reserve` bytes for its length (1 for a key-value, 2 for
   * a span, 3 for a batch of spans) and returns the mark to give `end()`.
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const mark = this.pos;
    this.pos += reserve;
    return mark;
  }

  /** Closes the message opened at `mark`: writes its length, moving it if the guess was off. */
  end(mark: number, reserve: number): void {
    const contentStart = mark + reserve;
    const length = this.pos - contentStart;
    const size = lengthVarintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this._buf.copyWithin(mark + size, contentStart, this.pos);
      this.pos += size - reserve;
    }
    const buf = this._buf;
    let p = mark;
    let v = length;
    while (v > 127) {
      buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[p] = v;
  }

  private _utf8(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.pos += this._buf.write(s, this.pos, n, 'utf8');
  }

  private _replace(buf: Buffer): void {
    this._buf = buf;
    this._view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}
