/*
 * Jaeger structs (jaeger.thrift), the agent's `oneway void emitBatch(1: Batch batch)`
 * (agent.thrift) and the collector's bare `Batch` onto a ThriftWriter. Spans and the process
 * are encoded once each into standalone struct bytes, so that batches can be packed into
 * datagrams by size and then framed without re-encoding.
 */
import { MessageType, TType } from './internal-types';
import type { JaegerLog, JaegerProcess, JaegerSpan, JaegerSpanRef, JaegerTag } from './internal-types';
import { TagType } from './internal-types';
import { createThriftWriter } from './thrift';
import type { ThriftWriter } from './thrift';
import type { ThriftProtocol } from './types';

function writeTag(w: ThriftWriter, tag: JaegerTag): void {
  w.structBegin();
  w.fieldBegin(TType.STRING, 1);
  w.string(tag.key);
  w.fieldBegin(TType.I32, 2);
  w.i32(tag.vType);
  switch (tag.vType) {
    case TagType.STRING:
      w.fieldBegin(TType.STRING, 3);
      w.string(tag.vStr);
      break;
    case TagType.DOUBLE:
      w.fieldBegin(TType.DOUBLE, 4);
      w.double(tag.vDouble);
      break;
    case TagType.BOOL:
      w.boolField(5, tag.vBool);
      break;
    case TagType.LONG:
      w.fieldBegin(TType.I64, 6);
      w.i64(tag.vLong);
      break;
  }
  w.structEnd();
}

/** A `list<struct>` field. */
function writeStructList<T>(
  w: ThriftWriter,
  id: number,
  items: readonly T[],
  writeItem: (w: ThriftWriter, item: T) => void,
): void {
  w.fieldBegin(TType.LIST, id);
  w.listBegin(TType.STRUCT, items.length);
  for (const item of items) writeItem(w, item);
}

function writeLog(w: ThriftWriter, log: JaegerLog): void {
  w.structBegin();
  w.fieldBegin(TType.I64, 1);
  w.i64(log.timestamp);
  writeStructList(w, 2, log.fields, writeTag);
  w.structEnd();
}

function writeRef(w: ThriftWriter, ref: JaegerSpanRef): void {
  w.structBegin();
  w.fieldBegin(TType.I32, 1);
  w.i32(ref.refType);
  w.fieldBegin(TType.I64, 2);
  w.i64(ref.traceIdLow);
  w.fieldBegin(TType.I64, 3);
  w.i64(ref.traceIdHigh);
  w.fieldBegin(TType.I64, 4);
  w.i64(ref.spanId);
  w.structEnd();
}

function writeSpan(w: ThriftWriter, span: JaegerSpan): void {
  w.structBegin();
  w.fieldBegin(TType.I64, 1);
  w.i64(span.traceIdLow);
  w.fieldBegin(TType.I64, 2);
  w.i64(span.traceIdHigh);
  w.fieldBegin(TType.I64, 3);
  w.i64(span.spanId);
  w.fieldBegin(TType.I64, 4);
  w.i64(span.parentSpanId);
  w.fieldBegin(TType.STRING, 5);
  w.string(span.operationName);
  if (span.references.length > 0) writeStructList(w, 6, span.references, writeRef);
  w.fieldBegin(TType.I32, 7);
  w.i32(span.flags);
  w.fieldBegin(TType.I64, 8);
  w.i64(span.startTime);
  w.fieldBegin(TType.I64, 9);
  w.i64(span.duration);
  if (span.tags.length > 0) writeStructList(w, 10, span.tags, writeTag);
  if (span.logs.length > 0) writeStructList(w, 11, span.logs, writeLog);
  w.structEnd();
}

function writeProcess(w: ThriftWriter, process: JaegerProcess): void {
  w.structBegin();
  w.fieldBegin(TType.STRING, 1);
  w.string(process.serviceName);
  if (process.tags.length > 0) writeStructList(w, 2, process.tags, writeTag);
  w.structEnd();
}

/** One span as standalone `Span` struct bytes. */
export function encodeSpan(protocol: ThriftProtocol, span: JaegerSpan): Buffer {
  const w = createThriftWriter(protocol);
  writeSpan(w, span);
  return w.toBuffer();
}

/** One process as standalone `Process` struct bytes. */
export function encodeProcess(protocol: ThriftProtocol, process: JaegerProcess): Buffer {
  const w = createThriftWriter(protocol);
  writeProcess(w, process);
  return w.toBuffer();
}

/** `Batch { 1: process, 2: spans }` from pre-encoded structs (seqNo and stats are optional and left out). */
function writeBatch(w: ThriftWriter, processBytes: Uint8Array, spanBytes: readonly Uint8Array[]): void {
  w.structBegin();
  w.fieldBegin(TType.STRUCT, 1); // process
  w.raw(processBytes);
  w.fieldBegin(TType.LIST, 2); // spans
  w.listBegin(TType.STRUCT, spanBytes.length);
  for (const b of spanBytes) w.raw(b);
  w.structEnd();
}

/** A bare `Batch` struct: the body a collector takes on `POST /api/traces` (binary Thrift). */
export function encodeBatch(
  protocol: ThriftProtocol,
  processBytes: Uint8Array,
  spanBytes: readonly Uint8Array[],
): Buffer {
  const w = createThriftWriter(protocol);
  writeBatch(w, processBytes, spanBytes);
  return w.toBuffer();
}

/** The full agent message: emitBatch(Batch{process, spans}) from pre-encoded structs. */
export function encodeEmitBatch(
  protocol: ThriftProtocol,
  processBytes: Uint8Array,
  spanBytes: readonly Uint8Array[],
  seqid: number,
): Buffer {
  const w = createThriftWriter(protocol);
  w.messageBegin('emitBatch', MessageType.ONEWAY, seqid);
  w.structBegin(); // emitBatch_args
  w.fieldBegin(TType.STRUCT, 1); // batch
  writeBatch(w, processBytes, spanBytes);
  w.structEnd(); // emitBatch_args
  return w.toBuffer();
}

/**
 * Upper bound of the bytes a frame can grow by beyond `encodeEmitBatch(p, proc, [], 0)`: the
 * compact list header takes up to 5 more bytes for a long list, and the compact seqid varint
 * up to 4 more than for 0.
 */
export const FRAME_SLACK = 10;
