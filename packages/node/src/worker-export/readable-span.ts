import type { HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { hrTimeDuration, TraceState, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { LinkRecord, ParentRecord, SpanBatch, SpanRecord } from './span-record';

/**
 * A ReadableSpan rebuilt from its record, in the export worker: every field the OTLP, Zipkin
 * and Jaeger exporters read (`spanContext()`, `parentSpanContext`, hrtime tuples, `duration`,
 * the resource the worker was given, the instrumentation scope, the dropped counts).
 */
class RebuiltSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: ReadableSpan['attributes'];
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly ended = true;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  private readonly _context: SpanContext;

  constructor(
    r: SpanRecord,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {
    this._context = spanContext(r[0], r[1], r[2], undefined, r[3]);
    this.parentSpanContext = r[4] ? parentContext(r[4]) : undefined;
    this.name = r[5];
    this.kind = r[6];
    this.startTime = r[7];
    this.endTime = r[8];
    this.duration = hrTimeDuration(r[7], r[8]);
    this.attributes = r[9];
    this.status = r[11] === undefined ? { code: r[10] } : { code: r[10], message: r[11] };
    this.events = r[12];
    this.links = r[13].length === 0 ? [] : r[13].map(toLink);
    this.droppedAttributesCount = r[14];
    this.droppedEventsCount = r[15];
    this.droppedLinksCount = r[16];
  }

  spanContext(): SpanContext {
    return this._context;
  }
}

/** The spans of one batch, all with `resource` (one object, so exporters group them as one). */
export function rebuildSpans(batch: SpanBatch, resource: Resource): ReadableSpan[] {
  // The shape the SDK's tracer gives its scope (absent fields as undefined).
  const scopes: InstrumentationScope[] = batch.scopes.map(([name, version, schemaUrl]) => ({
    name,
    version,
    schemaUrl,
  }));
  return batch.spans.map((r) => new RebuiltSpan(r, resource, scopes[r[17]]!));
}

function spanContext(
  traceId: string,
  spanId: string,
  traceFlags: number,
  isRemote: boolean | undefined,
  traceState: string | undefined,
): SpanContext {
  const ctx: SpanContext = { traceId, spanId, traceFlags };
  if (isRemote !== undefined) ctx.isRemote = isRemote;
  if (traceState !== undefined) ctx.traceState = new TraceState(traceState);
  return ctx;
}

function parentContext([spanId, traceFlags, isRemote, traceState, traceId]: ParentRecord): SpanContext {
  return spanContext(traceId, spanId, traceFlags, isRemote, traceState);
}

function toLink([traceId, spanId, traceFlags, isRemote, traceState, attributes, dropped]: LinkRecord): Link {
  const link: Link = { context: spanContext(traceId, spanId, traceFlags, isRemote, traceState) };
  if (attributes !== undefined) link.attributes = attributes;
  if (dropped !== undefined) link.droppedAttributesCount = dropped;
  return link;
}
