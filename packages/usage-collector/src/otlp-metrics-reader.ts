import type {
  OtlpAnyValue,
  OtlpExportRequest,
  OtlpHistogramPoint,
  OtlpKeyValue,
  OtlpMetric,
  OtlpNumberPoint,
  OtlpResourceMetrics,
} from './internal-types';

/**
 * A hand-written reader of the OTLP ExportMetricsServiceRequest wire format: the collector's hot
 * path (protobuf bodies). Why not protobufjs: its decoder builds a full message object for every
 * message (prototype defaults, a Long per 64-bit field, every field of every KeyValue, scope
 * and metadata), which the ingest step then reads back and converts: a third of the
 * collector's CPU to acknowledge a report went to decoding, this reader takes half of that. This reader walks the bytes once and builds only the plain
 * objects ingest() reads (see internal-types.ts): 64-bit counts and integer values as numbers
 * (the value Long#toNumber gave), times as `{ low, high }` words, messages and fields ingest
 * never reads (scope, schema URLs, descriptions, exemplars, array/kvlist/bytes values) skipped
 * unread.
 *
 * Same result as protobufjs on every well-formed request (test/otlp-metrics-reader.test.ts
 * checks it against protobufjs, which stays available as `decodeProtobufjsRequest`): a field
 * seen twice keeps the last value, a message field seen twice is replaced (no merge), both
 * members of a oneof may be set, repeated scalars are taken packed or not. Stricter where
 * protobufjs reads garbage or truncates silently: a known field with the wrong wire type, a
 * length or fixed-width value past the end of its message, a varint of more than 10 bytes,
 * field number 0 and groups (wire types 3 and 4: not in OTLP) throw a {@link MalformedProtobuf}
 * naming the problem and its offset. Never throws anything else. Two differences on bodies no
 * OTLP encoder writes: a bool or enum varint of 6 to 9 bytes is read by the protobuf rules
 * (protobufjs' uint32() takes it for 10 bytes and reads past it), and a malformed inside of a
 * field skipped unread (an exponential histogram, an array value) is not noticed.
 */
export function readExportRequest(body: Uint8Array): OtlpExportRequest {
  const r = new WireReader(body);
  const resourceMetrics: OtlpResourceMetrics[] = [];
  const end = body.length;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (1 << 3) + LEN) resourceMetrics.push(readResourceMetrics(r, r.lengthEnd(end)));
    else r.skipOrReject(tag, end, 'ExportMetricsServiceRequest', KNOWN_REQUEST);
  }
  return { resourceMetrics };
}

/** A body that is no well-formed protobuf message; the message names the problem and its offset. */
export class MalformedProtobuf extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedProtobuf';
  }
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const TWO_32 = 4294967296;

// Field numbers of each message this reader knows, with their wire type: a known field with
// another wire type is malformed (protobufjs would read it as its declared type: garbage).
type Known = Readonly<Record<number, number>>;
const KNOWN_REQUEST: Known = { 1: LEN };
const KNOWN_RESOURCE_METRICS: Known = { 1: LEN, 2: LEN, 3: LEN };
const KNOWN_RESOURCE: Known = { 1: LEN, 2: VARINT };
const KNOWN_SCOPE_METRICS: Known = { 1: LEN, 2: LEN, 3: LEN };
const KNOWN_METRIC: Known = { 1: LEN, 2: LEN, 3: LEN, 5: LEN, 7: LEN, 9: LEN, 10: LEN, 11: LEN, 12: LEN };
const KNOWN_GAUGE: Known = { 1: LEN };
const KNOWN_SUM: Known = { 1: LEN, 2: VARINT, 3: VARINT };
const KNOWN_HISTOGRAM: Known = { 1: LEN, 2: VARINT };
const KNOWN_NUMBER_POINT: Known = { 2: I64, 3: I64, 4: I64, 6: I64, 7: LEN, 8: VARINT };
const KNOWN_HISTOGRAM_POINT: Known = {
  2: I64,
  3: I64,
  4: I64,
  5: I64,
  6: I64,
  7: I64,
  9: LEN,
  10: VARINT,
  11: I64,
  12: I64,
};
const KNOWN_KEY_VALUE: Known = { 1: LEN, 2: LEN };
const KNOWN_ANY_VALUE: Known = { 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 5: LEN, 6: LEN, 7: LEN };

/** The cursor over one body; every read is bounded by the end of the message it is in. */
class WireReader {
  pos = 0;
  private readonly _buf: Buffer;
  private readonly _view: DataView;

  constructor(body: Uint8Array) {
    // A Buffer over the same bytes: its toString(utf8, start, end) decodes in place (no subarray).
    this._buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    this._view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  /** A tag (field number << 3 | wire type): a varint of at most 32 bits, field number above 0. */
  tag(end: number): number {
    const at = this.pos;
    // Fast path: a one-byte tag (fields 1..15), nearly every tag of an OTLP body.
    if (at < end) {
      const b = this._buf[at]!;
      if (b < 0x80 && b >= 8) {
        this.pos = at + 1;
        return b;
      }
    }
    const tag = this.varint32(end);
    if (tag >>> 3 === 0) throw new MalformedProtobuf(`field number 0 at offset ${at}`);
    return tag;
  }

  /**
   * The low 32 bits of a varint (unsigned), as protobufjs' uint32() reads it: a longer value
   * keeps its low bits. At most 10 bytes.
   */
  varint32(end: number): number {
    const buf = this._buf;
    const at = this.pos;
    if (at < end && buf[at]! < 0x80) {
      this.pos = at + 1;
      return buf[at]!;
    }
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new MalformedProtobuf(`truncated varint at offset ${at}`);
      const b = buf[this.pos++]!;
      if (i < 5) value = (value | ((b & 0x7f) << (7 * i))) >>> 0;
      if (b < 0x80) return value;
    }
    throw new MalformedProtobuf(`invalid varint encoding at offset ${at} (more than 10 bytes)`);
  }

  /** A bool: true when any bit of the varint is set (protobufjs looks at the low 32 only). */
  bool(end: number): boolean {
    const buf = this._buf;
    const at = this.pos;
    let any = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new MalformedProtobuf(`truncated varint at offset ${at}`);
      const b = buf[this.pos++]!;
      any |= b & 0x7f;
      if (b < 0x80) return any !== 0;
    }
    throw new MalformedProtobuf(`invalid varint encoding at offset ${at} (more than 10 bytes)`);
  }

  /** A varint as a signed 64-bit integer's JavaScript number (Long#toNumber of protobufjs' int64()). */
  varint64(end: number): number {
    const buf = this._buf;
    const at = this.pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new MalformedProtobuf(`truncated varint at offset ${at}`);
      const b = buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28; // the low 4 bits of this byte
        high |= bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (b < 0x80) return (high | 0) * TWO_32 + (low >>> 0);
    }
    throw new MalformedProtobuf(`invalid varint encoding at offset ${at} (more than 10 bytes)`);
  }

  /** The end of a length-delimited field that starts here, checked against its message's end. */
  lengthEnd(end: number): number {
    const at = this.pos;
    const length = this.varint32(end);
    if (length > end - this.pos)
      throw new MalformedProtobuf(
        `length ${length} at offset ${at} runs past the end of its message (${end - this.pos} bytes left)`,
      );
    return this.pos + length;
  }

  private _fixed(end: number, size: number): number {
    const at = this.pos;
    if (end - at < size)
      throw new MalformedProtobuf(`${size}-byte value at offset ${at} runs past the end of its message`);
    this.pos = at + size;
    return at;
  }

  double(end: number): number {
    return this._view.getFloat64(this._fixed(end, 8), true);
  }

  /** fixed64 as protobufjs' unsigned Long gives its number. */
  fixed64Number(end: number): number {
    const at = this._fixed(end, 8);
    return this._view.getUint32(at + 4, true) * TWO_32 + this._view.getUint32(at, true);
  }

  /** sfixed64 as protobufjs' signed Long gives its number. */
  sfixed64Number(end: number): number {
    const at = this._fixed(end, 8);
    return this._view.getInt32(at + 4, true) * TWO_32 + this._view.getUint32(at, true);
  }

  /** fixed64 as its two 32-bit words (times: ingest turns them into a BigInt, exactly). */
  fixed64Words(end: number): { low: number; high: number } {
    const at = this._fixed(end, 8);
    return { low: this._view.getInt32(at, true), high: this._view.getInt32(at + 4, true) };
  }

  /** A string (UTF-8, invalid sequences as U+FFFD: Buffer#utf8Slice, as protobufjs reads it on Node). */
  string(end: number): string {
    const stop = this.lengthEnd(end);
    const start = this.pos;
    this.pos = stop;
    return this._buf.toString('utf8', start, stop);
  }

  /**
   * Skips a field ingest does not read, after checking its wire type: an unknown field number
   * by the protobuf rules (varint, 64-bit, length-delimited, 32-bit), a known one only with the
   * wire type it is declared with.
   */
  skipOrReject(tag: number, end: number, message: string, known: Known): void {
    const field = tag >>> 3;
    const wireType = tag & 7;
    const declared = known[field];
    if (declared !== undefined && declared !== wireType)
      throw new MalformedProtobuf(
        `field ${field} of ${message} has wire type ${wireType}, expected ${declared} (at offset ${this.pos})`,
      );
    switch (wireType) {
      case VARINT:
        this.varint32(end);
        return;
      case I64:
        this._fixed(end, 8);
        return;
      case LEN:
        this.pos = this.lengthEnd(end);
        return;
      case I32:
        this._fixed(end, 4);
        return;
      case 3:
      case 4:
        throw new MalformedProtobuf(`group (wire type ${wireType}) at offset ${this.pos}: not used by OTLP`);
      default:
        throw new MalformedProtobuf(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }
}

function readResourceMetrics(r: WireReader, end: number): OtlpResourceMetrics {
  const rm: OtlpResourceMetrics = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (1 << 3) + LEN) rm.resource = { attributes: readResource(r, r.lengthEnd(end)) };
    else if (tag === (2 << 3) + LEN) (rm.scopeMetrics ??= []).push({ metrics: readScopeMetrics(r, r.lengthEnd(end)) });
    else r.skipOrReject(tag, end, 'ResourceMetrics', KNOWN_RESOURCE_METRICS);
  }
  return rm;
}

/** A Resource's attributes (protobufjs' resource.attributes: concatenated when repeated). */
function readResource(r: WireReader, end: number): OtlpKeyValue[] {
  const attributes: OtlpKeyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (1 << 3) + LEN) attributes.push(readKeyValue(r, r.lengthEnd(end)));
    else r.skipOrReject(tag, end, 'Resource', KNOWN_RESOURCE);
  }
  return attributes;
}

function readScopeMetrics(r: WireReader, end: number): OtlpMetric[] {
  const metrics: OtlpMetric[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (2 << 3) + LEN) metrics.push(readMetric(r, r.lengthEnd(end)));
    else r.skipOrReject(tag, end, 'ScopeMetrics', KNOWN_SCOPE_METRICS);
  }
  return metrics;
}

function readMetric(r: WireReader, end: number): OtlpMetric {
  const m: OtlpMetric = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) + LEN:
        m.name = r.string(end);
        break;
      case (5 << 3) + LEN:
        m.gauge = readData(r, r.lengthEnd(end), GAUGE);
        break;
      case (7 << 3) + LEN:
        m.sum = readData(r, r.lengthEnd(end), SUM);
        break;
      case (9 << 3) + LEN:
        m.histogram = readData(r, r.lengthEnd(end), HISTOGRAM) as OtlpMetric['histogram'];
        break;
      default:
        // exponential_histogram and summary too: ingest counts such a metric by its (absent) points.
        r.skipOrReject(tag, end, 'Metric', KNOWN_METRIC);
    }
  }
  return m;
}

interface Data {
  dataPoints?: (OtlpNumberPoint | OtlpHistogramPoint)[];
  aggregationTemporality?: number;
  isMonotonic?: boolean;
}

const GAUGE = 0;
const SUM = 1;
const HISTOGRAM = 2;
const DATA_NAMES = ['Gauge', 'Sum', 'Histogram'] as const;
const DATA_KNOWN = [KNOWN_GAUGE, KNOWN_SUM, KNOWN_HISTOGRAM] as const;

/** Gauge, Sum or Histogram: their data points, and the temporality and monotonicity of those that have them. */
function readData(r: WireReader, end: number, kind: typeof GAUGE | typeof SUM | typeof HISTOGRAM): Data {
  const d: Data = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (1 << 3) + LEN)
      (d.dataPoints ??= []).push(
        kind === HISTOGRAM ? readHistogramPoint(r, r.lengthEnd(end)) : readNumberPoint(r, r.lengthEnd(end)),
      );
    else if (tag === (2 << 3) + VARINT && kind !== GAUGE) d.aggregationTemporality = r.varint32(end) | 0;
    else if (tag === (3 << 3) + VARINT && kind === SUM) d.isMonotonic = r.bool(end);
    else r.skipOrReject(tag, end, DATA_NAMES[kind], DATA_KNOWN[kind]);
  }
  return d;
}

function readNumberPoint(r: WireReader, end: number): OtlpNumberPoint {
  const p: OtlpNumberPoint = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (7 << 3) + LEN:
        (p.attributes ??= []).push(readKeyValue(r, r.lengthEnd(end)));
        break;
      case (2 << 3) + I64:
        p.startTimeUnixNano = r.fixed64Words(end);
        break;
      case (3 << 3) + I64:
        p.timeUnixNano = r.fixed64Words(end);
        break;
      case (4 << 3) + I64:
        p.asDouble = r.double(end);
        break;
      case (6 << 3) + I64:
        p.asInt = r.sfixed64Number(end);
        break;
      default:
        r.skipOrReject(tag, end, 'NumberDataPoint', KNOWN_NUMBER_POINT);
    }
  }
  return p;
}

function readHistogramPoint(r: WireReader, end: number): OtlpHistogramPoint {
  const p: OtlpHistogramPoint = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (9 << 3) + LEN:
        (p.attributes ??= []).push(readKeyValue(r, r.lengthEnd(end)));
        break;
      case (2 << 3) + I64:
        p.startTimeUnixNano = r.fixed64Words(end);
        break;
      case (3 << 3) + I64:
        p.timeUnixNano = r.fixed64Words(end);
        break;
      case (4 << 3) + I64:
        p.count = r.fixed64Number(end);
        break;
      case (5 << 3) + I64:
        p.sum = r.double(end);
        break;
      case (11 << 3) + I64:
        p.min = r.double(end);
        break;
      case (12 << 3) + I64:
        p.max = r.double(end);
        break;
      // Repeated scalars: packed (the proto3 default) or one value per field.
      case (6 << 3) + LEN: {
        const stop = r.lengthEnd(end);
        const counts = (p.bucketCounts ??= []) as number[];
        while (r.pos < stop) counts.push(r.fixed64Number(stop));
        break;
      }
      case (6 << 3) + I64:
        ((p.bucketCounts ??= []) as number[]).push(r.fixed64Number(end));
        break;
      case (7 << 3) + LEN: {
        const stop = r.lengthEnd(end);
        const bounds = (p.explicitBounds ??= []);
        while (r.pos < stop) bounds.push(r.double(stop));
        break;
      }
      case (7 << 3) + I64:
        (p.explicitBounds ??= []).push(r.double(end));
        break;
      default:
        r.skipOrReject(tag, end, 'HistogramDataPoint', KNOWN_HISTOGRAM_POINT);
    }
  }
  return p;
}

function readKeyValue(r: WireReader, end: number): OtlpKeyValue {
  // key '' when absent, as protobufjs' default: ingest reads such an attribute (and filters it).
  const kv: OtlpKeyValue = { key: '' };
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === (1 << 3) + LEN) kv.key = r.string(end);
    else if (tag === (2 << 3) + LEN) kv.value = readAnyValue(r, r.lengthEnd(end));
    else r.skipOrReject(tag, end, 'KeyValue', KNOWN_KEY_VALUE);
  }
  return kv;
}

/** The scalar members of AnyValue (the only ones ingest reads); array, kvlist and bytes are skipped. */
function readAnyValue(r: WireReader, end: number): OtlpAnyValue {
  const v: OtlpAnyValue = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) + LEN:
        v.stringValue = r.string(end);
        break;
      case (2 << 3) + VARINT:
        v.boolValue = r.bool(end);
        break;
      case (3 << 3) + VARINT:
        v.intValue = r.varint64(end);
        break;
      case (4 << 3) + I64:
        v.doubleValue = r.double(end);
        break;
      default:
        r.skipOrReject(tag, end, 'AnyValue', KNOWN_ANY_VALUE);
    }
  }
  return v;
}
