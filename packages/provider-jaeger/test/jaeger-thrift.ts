/*
 * What the tests' two Thrift decoders share, independent of src/: the generic shape they read a
 * message into (field ids -> values, with the wire type of every field and list), and the
 * mapping of that shape onto jaeger.thrift / agent.thrift, which checks every field's id and
 * wire type against the IDL (jaegertracing/jaeger-idl thrift/jaeger.thrift):
 *
 *   struct Tag     { 1: required string key, 2: required TagType vType (i32), 3: optional string vStr,
 *                    4: optional double vDouble, 5: optional bool vBool, 6: optional i64 vLong,
 *                    7: optional binary vBinary }
 *   struct Log     { 1: required i64 timestamp, 2: required list<Tag> fields }
 *   struct SpanRef { 1: required SpanRefType refType (i32), 2: required i64 traceIdLow,
 *                    3: required i64 traceIdHigh, 4: required i64 spanId }
 *   struct Span    { 1-4: required i64 traceIdLow, traceIdHigh, spanId, parentSpanId,
 *                    5: required string operationName, 6: optional list<SpanRef> references,
 *                    7: required i32 flags, 8: required i64 startTime, 9: required i64 duration,
 *                    10: optional list<Tag> tags, 11: optional list<Log> logs }
 *   struct Process { 1: required string serviceName, 2: optional list<Tag> tags }
 *   struct Batch   { 1: required Process process, 2: required list<Span> spans,
 *                    3: optional i64 seqNo, 4: optional ClientStats stats }
 *   agent.thrift:  oneway void emitBatch(1: jaeger.Batch batch)
 */

/** Wire types by name, the same for both protocols (each decoder maps its own numbers). */
export type WireType =
  'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'binary' | 'list' | 'set' | 'map' | 'struct';

export type ThriftValue =
  boolean | number | bigint | Buffer | ThriftValue[] | ThriftStruct | Map<ThriftValue, ThriftValue>;
export type ThriftStruct = Map<number, ThriftValue>;

export interface ThriftMessage {
  name: string;
  type: number;
  seqid: number;
  body: ThriftStruct;
}

/** Wire type of each field of a decoded struct, and element type of each decoded list. */
const structTypes = new WeakMap<ThriftStruct, Map<number, WireType>>();
const listTypes = new WeakMap<ThriftValue[], WireType>();

export function newStruct(): { fields: ThriftStruct; set(id: number, type: WireType, value: ThriftValue): void } {
  const fields: ThriftStruct = new Map();
  const types = new Map<number, WireType>();
  structTypes.set(fields, types);
  return {
    fields,
    set(id, type, value) {
      if (fields.has(id)) throw new Error(`field ${id} appears twice in one struct`);
      fields.set(id, value);
      types.set(id, type);
    },
  };
}

export function newList(elementType: WireType, items: ThriftValue[]): ThriftValue[] {
  listTypes.set(items, elementType);
  return items;
}

/* ---- jaeger.thrift ---- */

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

/** A struct's fields as jaeger.thrift declares them: wire type, and whether required. */
type Schema = Record<number, { name: string; type: WireType; element?: WireType; required: boolean }>;

const TAG: Schema = {
  1: { name: 'key', type: 'binary', required: true },
  2: { name: 'vType', type: 'i32', required: true },
  3: { name: 'vStr', type: 'binary', required: false },
  4: { name: 'vDouble', type: 'double', required: false },
  5: { name: 'vBool', type: 'bool', required: false },
  6: { name: 'vLong', type: 'i64', required: false },
  7: { name: 'vBinary', type: 'binary', required: false },
};
const LOG: Schema = {
  1: { name: 'timestamp', type: 'i64', required: true },
  2: { name: 'fields', type: 'list', element: 'struct', required: true },
};
const SPAN_REF: Schema = {
  1: { name: 'refType', type: 'i32', required: true },
  2: { name: 'traceIdLow', type: 'i64', required: true },
  3: { name: 'traceIdHigh', type: 'i64', required: true },
  4: { name: 'spanId', type: 'i64', required: true },
};
const SPAN: Schema = {
  1: { name: 'traceIdLow', type: 'i64', required: true },
  2: { name: 'traceIdHigh', type: 'i64', required: true },
  3: { name: 'spanId', type: 'i64', required: true },
  4: { name: 'parentSpanId', type: 'i64', required: true },
  5: { name: 'operationName', type: 'binary', required: true },
  6: { name: 'references', type: 'list', element: 'struct', required: false },
  7: { name: 'flags', type: 'i32', required: true },
  8: { name: 'startTime', type: 'i64', required: true },
  9: { name: 'duration', type: 'i64', required: true },
  10: { name: 'tags', type: 'list', element: 'struct', required: false },
  11: { name: 'logs', type: 'list', element: 'struct', required: false },
};
const PROCESS: Schema = {
  1: { name: 'serviceName', type: 'binary', required: true },
  2: { name: 'tags', type: 'list', element: 'struct', required: false },
};
const BATCH: Schema = {
  1: { name: 'process', type: 'struct', required: true },
  2: { name: 'spans', type: 'list', element: 'struct', required: true },
  3: { name: 'seqNo', type: 'i64', required: false },
  4: { name: 'stats', type: 'struct', required: false },
};
const EMIT_BATCH_ARGS: Schema = { 1: { name: 'batch', type: 'struct', required: true } };

/** The struct's fields by name, after checking ids, wire types and required fields against `schema`. */
function read(s: ThriftStruct, schema: Schema, what: string): Record<string, ThriftValue | undefined> {
  const types = structTypes.get(s);
  if (!types) throw new Error(`${what}: not a decoded struct`);
  const out: Record<string, ThriftValue | undefined> = {};
  for (const [id, value] of s) {
    const field = schema[id];
    if (!field) throw new Error(`${what}: unknown field id ${id}`);
    if (types.get(id) !== field.type)
      throw new Error(`${what}.${field.name}: wire type ${types.get(id)}, jaeger.thrift says ${field.type}`);
    if (field.element && listTypes.get(value as ThriftValue[]) !== field.element) {
      throw new Error(
        `${what}.${field.name}: list of ${listTypes.get(value as ThriftValue[])}, jaeger.thrift says ${field.element}`,
      );
    }
    out[field.name] = value;
  }
  for (const field of Object.values(schema)) {
    if (field.required && !(field.name in out)) throw new Error(`${what}: missing required field ${field.name}`);
  }
  return out;
}

const str = (v: ThriftValue | undefined): string => (v as Buffer).toString('utf8');
const structs = (v: ThriftValue | undefined): ThriftStruct[] => (v ?? []) as ThriftStruct[];

function tagFrom(s: ThriftStruct): DecodedTag {
  const t = read(s, TAG, 'Tag');
  const vType = t.vType as number;
  const valueField = ['vStr', 'vDouble', 'vBool', 'vLong', 'vBinary'][vType];
  if (!valueField) throw new Error(`Tag.vType ${vType} is not a TagType`);
  const raw = t[valueField];
  return { key: str(t.key), vType, value: vType === 0 && raw ? str(raw) : (raw as DecodedTag['value']) };
}

function spanFrom(s: ThriftStruct): DecodedSpan {
  const f = read(s, SPAN, 'Span');
  return {
    traceIdLow: f.traceIdLow as bigint,
    traceIdHigh: f.traceIdHigh as bigint,
    spanId: f.spanId as bigint,
    parentSpanId: f.parentSpanId as bigint,
    operationName: str(f.operationName),
    references: structs(f.references).map((r) => {
      const ref = read(r, SPAN_REF, 'SpanRef');
      return {
        refType: ref.refType as number,
        traceIdLow: ref.traceIdLow as bigint,
        traceIdHigh: ref.traceIdHigh as bigint,
        spanId: ref.spanId as bigint,
      };
    }),
    flags: f.flags as number,
    startTime: f.startTime as bigint,
    duration: f.duration as bigint,
    tags: structs(f.tags).map(tagFrom),
    logs: structs(f.logs).map((l) => {
      const log = read(l, LOG, 'Log');
      return { timestamp: log.timestamp as bigint, fields: structs(log.fields).map(tagFrom) };
    }),
  };
}

/** A decoded `Batch` struct, checked against jaeger.thrift. */
export function batchFrom(s: ThriftStruct): DecodedBatch {
  const b = read(s, BATCH, 'Batch');
  const p = read(b.process as ThriftStruct, PROCESS, 'Process');
  return {
    process: { serviceName: str(p.serviceName), tags: structs(p.tags).map(tagFrom) },
    spans: structs(b.spans).map(spanFrom),
  };
}

/** The `Batch` inside a decoded `emitBatch` message's arguments. */
export function emitBatchFrom(message: ThriftMessage): DecodedBatch {
  if (message.name !== 'emitBatch') throw new Error(`message ${JSON.stringify(message.name)}, not emitBatch`);
  return batchFrom(read(message.body, EMIT_BATCH_ARGS, 'emitBatch_args').batch as ThriftStruct);
}
