/**
 * One finished span as an OTLP `Span` message (opentelemetry/proto/trace/v1/trace.proto),
 * written field by field from the ReadableSpan: ids decoded from hex straight into the
 * buffer, times as fixed64 nanoseconds, attributes, events, links, status, flags and dropped
 * counts. Which fields are written even when zero, and in which order, follows
 * @opentelemetry/otlp-transformer 0.301.0's serializer, so that the bytes are the same.
 */
import type { Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { writeAttributes } from './any-value';
import type { ProtoWriter } from './proto-writer';

/** SpanFlags: the low byte is the W3C trace flags; these say whether the parent was remote. */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

// Wire types.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAG_HAS_IS_REMOTE | (isRemote ? FLAG_IS_REMOTE : 0);
}

/** Field `field` of the enclosing message: one Span. */
export function writeSpan(w: ProtoWriter, span: ReadableSpan, field: number): void {
  w.tag(field, LEN);
  // Most spans are 128 bytes to 16 KB long: a 2-byte length is rarely moved.
  const mark = w.begin(2);
  const ctx = span.spanContext();
  w.tag(1, LEN);
  w.hexBytes(ctx.traceId);
  w.tag(2, LEN);
  w.hexBytes(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, LEN);
    w.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.tag(4, LEN);
    w.hexBytes(parent.spanId);
  }
  w.tag(5, LEN);
  w.string(span.name);
  // OTLP's SpanKind is the API's plus one (0 is UNSPECIFIED, not written).
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.tag(6, VARINT);
    w.varint(kind);
  }
  w.tag(7, FIXED64);
  w.hrTime(span.startTime);
  w.tag(8, FIXED64);
  w.hrTime(span.endTime);
  if (span.attributes) writeAttributes(w, span.attributes, 9);
  w.tag(10, VARINT);
  w.varint(span.droppedAttributesCount);
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(w, events[i]!, 11);
  w.tag(12, VARINT);
  w.varint(span.droppedEventsCount);
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(w, links[i]!, 13);
  w.tag(14, VARINT);
  w.varint(span.droppedLinksCount);
  writeStatus(w, span.status, 15);
  const flags = spanFlags(ctx.traceFlags, parent?.isRemote);
  if (flags) {
    w.tag(16, FIXED32);
    w.fixed32(flags);
  }
  w.end(mark, 2);
}

/** Span.Event: time (1), name (2), attributes (3), dropped attributes (4, always written). */
function writeEvent(w: ProtoWriter, event: TimedEvent, field: number): void {
  w.tag(field, LEN);
  const mark = w.begin(1);
  w.tag(1, FIXED64);
  w.hrTime(event.time);
  w.tag(2, LEN);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, event.attributes, 3);
  w.tag(4, VARINT);
  w.varint(event.droppedAttributesCount || 0);
  w.end(mark, 1);
}

/** Span.Link: trace id (1), span id (2), trace state (3), attributes (4), dropped (5), flags (6). */
function writeLink(w: ProtoWriter, link: Link, field: number): void {
  w.tag(field, LEN);
  const mark = w.begin(1);
  const ctx = link.context;
  w.tag(1, LEN);
  w.hexBytes(ctx.traceId);
  w.tag(2, LEN);
  w.hexBytes(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, LEN);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, link.attributes, 4);
  w.tag(5, VARINT);
  w.varint(link.droppedAttributesCount || 0);
  const flags = spanFlags(ctx.traceFlags, ctx.isRemote);
  if (flags) {
    w.tag(6, FIXED32);
    w.fixed32(flags);
  }
  w.end(mark, 1);
}

/** Status: message (2, when not empty), code (3, always written). */
function writeStatus(w: ProtoWriter, status: SpanStatus, field: number): void {
  w.tag(field, LEN);
  const mark = w.begin(1);
  if (status.message) {
    w.tag(2, LEN);
    w.string(status.message);
  }
  w.tag(3, VARINT);
  w.varint(status.code);
  w.end(mark, 1);
}
