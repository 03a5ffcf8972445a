/*
 * OpenTelemetry ReadableSpan -> Jaeger Thrift model, for the agent and the collector alike.
 * Follows the mapping of the (deprecated, no longer used) @opentelemetry/exporter-jaeger
 * (build/src/transform.js) field by field, so that traces look as they did; the places where
 * it deliberately differs are marked "differs:".
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanRefType, TagType } from './internal-types';
import type { JaegerLog, JaegerProcess, JaegerSpan, JaegerSpanRef, JaegerTag } from './internal-types';

/** Jaeger's `flags` bit 1 = sampled; exporter-jaeger uses it when traceFlags is 0. */
const DEFAULT_FLAGS = 0x1;
const SERVICE_NAME = 'service.name';

/** HrTime as whole microseconds (hrTimeToMicroseconds keeps the fraction; i64 cannot). */
function micros(time: ReadableSpan['startTime']): bigint {
  return BigInt(Math.round(hrTimeToMicroseconds(time)));
}

/** A hex id of up to 16 digits as the signed i64 Thrift carries (same 64 bits). */
export function hexToI64(hex: string): bigint {
  if (hex === '') return 0n;
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

/**
 * An attribute value as a Jaeger tag, typed like exporter-jaeger does it (toTagValue, then
 * jaeger-client's ThriftUtils.getThriftTags): boolean -> BOOL, number -> DOUBLE (JavaScript
 * cannot tell 200 from 200.0, and exporter-jaeger sends every number as a double), anything
 * else -> STRING via String() (arrays become "a,b").
 */
export function toTag(key: string, value: AttributeValue | undefined | null): JaegerTag | undefined {
  if (value === undefined || value === null) return undefined; // differs: exporter-jaeger would send "undefined"
  if (typeof value === 'boolean') return { key, vType: TagType.BOOL, vBool: value };
  if (typeof value === 'number') return { key, vType: TagType.DOUBLE, vDouble: value };
  return { key, vType: TagType.STRING, vStr: String(value) };
}

function pushTag(tags: JaegerTag[], key: string, value: AttributeValue | undefined | null): void {
  const tag = toTag(key, value);
  if (tag) tags.push(tag);
}

function attributesToTags(attributes: Attributes | undefined, skip?: string): JaegerTag[] {
  const tags: JaegerTag[] = [];
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (key !== skip) pushTag(tags, key, value);
  }
  return tags;
}

/**
 * Span tags: the span's attributes, then otel.status_code / otel.status_description, error=true
 * for ERROR, span.kind (lower case, none for INTERNAL), otel.library.name/version and the
 * dropped-counts, in exporter-jaeger's order.
 *
 * differs: resource attributes are NOT repeated on every span (exporter-jaeger does); they are
 * the Process tags of the batch (see {@link resourceToProcess}), which is where Jaeger's own
 * OTLP receiver puts them, and which keeps UDP datagrams small.
 */
function spanTags(span: ReadableSpan): JaegerTag[] {
  const tags = attributesToTags(span.attributes);
  if (span.status.code !== SpanStatusCode.UNSET) {
    pushTag(tags, 'otel.status_code', SpanStatusCode[span.status.code]);
    if (span.status.message) pushTag(tags, 'otel.status_description', span.status.message);
  }
  if (span.status.code === SpanStatusCode.ERROR) pushTag(tags, 'error', true);
  if (span.kind !== undefined && span.kind !== SpanKind.INTERNAL) {
    pushTag(tags, 'span.kind', SpanKind[span.kind]?.toLowerCase());
  }
  const scope = span.instrumentationScope;
  if (scope) {
    pushTag(tags, 'otel.library.name', scope.name);
    pushTag(tags, 'otel.library.version', scope.version); // differs: omitted when undefined
  }
  if (span.droppedAttributesCount) pushTag(tags, 'otel.dropped_attributes_count', span.droppedAttributesCount);
  if (span.droppedEventsCount) pushTag(tags, 'otel.dropped_events_count', span.droppedEventsCount);
  if (span.droppedLinksCount) pushTag(tags, 'otel.dropped_links_count', span.droppedLinksCount);
  return tags;
}

/**
 * Events as logs: an `event` field with the name, then the event's attributes.
 * differs: the timestamp keeps microseconds (exporter-jaeger rounds to milliseconds first).
 */
function spanLogs(span: ReadableSpan): JaegerLog[] {
  return span.events.map((event) => {
    const fields: JaegerTag[] = [{ key: 'event', vType: TagType.STRING, vStr: event.name }];
    fields.push(...attributesToTags(event.attributes));
    if (event.droppedAttributesCount) {
      pushTag(fields, 'otel.event.dropped_attributes_count', event.droppedAttributesCount);
    }
    return { timestamp: micros(event.time), fields };
  });
}

/** A 32- (or 16-) hex-digit trace id as Jaeger's two i64 halves. */
function traceIdParts(hex: string): { traceIdHigh: bigint; traceIdLow: bigint } {
  const traceId = hex.padStart(32, '0');
  return { traceIdHigh: hexToI64(traceId.slice(0, 16)), traceIdLow: hexToI64(traceId.slice(16)) };
}

/** Links as FOLLOWS_FROM references (the parent is `parentSpanId`, not a CHILD_OF ref). */
function spanReferences(span: ReadableSpan): JaegerSpanRef[] {
  return span.links.map((link) => ({
    refType: SpanRefType.FOLLOWS_FROM,
    ...traceIdParts(link.context.traceId),
    spanId: hexToI64(link.context.spanId),
  }));
}

/** One finished span in the Jaeger model. */
export function spanToJaeger(span: ReadableSpan): JaegerSpan {
  const ctx = span.spanContext();
  const parentId = span.parentSpanContext?.spanId ?? (span as { parentSpanId?: string }).parentSpanId;
  return {
    ...traceIdParts(ctx.traceId),
    spanId: hexToI64(ctx.spanId),
    parentSpanId: parentId ? hexToI64(parentId) : 0n,
    operationName: span.name,
    references: spanReferences(span),
    flags: ctx.traceFlags || DEFAULT_FLAGS,
    startTime: micros(span.startTime),
    duration: micros(span.duration),
    tags: spanTags(span),
    logs: spanLogs(span),
  };
}

/**
 * The Jaeger Process of a span's resource: serviceName from `service.name` (the SDK's
 * `unknown_service:*` placeholder yields to `fallbackServiceName`, i.e. tracing.service_name),
 * every other resource attribute as a process tag.
 */
export function resourceToProcess(
  resource: ReadableSpan['resource'],
  fallbackServiceName: string | undefined,
): JaegerProcess {
  const attributes = resource.attributes;
  const fromResource = attributes[SERVICE_NAME];
  let serviceName = typeof fromResource === 'string' && fromResource !== '' ? fromResource : undefined;
  if (fallbackServiceName && (serviceName === undefined || serviceName.startsWith('unknown_service'))) {
    serviceName = fallbackServiceName;
  }
  return { serviceName: serviceName ?? 'unknown_service', tags: attributesToTags(attributes, SERVICE_NAME) };
}
