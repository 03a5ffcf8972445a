import type { Attributes, HrTime, Link, SpanKind } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/**
 * A finished span as it crosses to the export worker: a tuple (cheaper to structured-clone
 * than an object with the same fields), holding only data. The span's own attribute and
 * event objects are referenced, not copied: the span is ended, so they no longer change, and
 * `postMessage` copies them once, with the batch. The resource is not in it (the worker
 * receives it once, at start); the instrumentation scope is an index into the batch's scopes.
 */
export type SpanRecord = [
  traceId: string,
  spanId: string,
  traceFlags: number,
  traceState: string | undefined,
  parent: ParentRecord | undefined,
  name: string,
  kind: SpanKind,
  startTime: HrTime,
  endTime: HrTime,
  attributes: Attributes,
  statusCode: number,
  statusMessage: string | undefined,
  events: TimedEvent[],
  links: LinkRecord[],
  droppedAttributesCount: number,
  droppedEventsCount: number,
  droppedLinksCount: number,
  scope: number,
];

/** The parent's span context (same trace as the span). */
export type ParentRecord = [
  spanId: string,
  traceFlags: number,
  isRemote: boolean | undefined,
  traceState: string | undefined,
  traceId: string,
];

export type LinkRecord = [
  traceId: string,
  spanId: string,
  traceFlags: number,
  isRemote: boolean | undefined,
  traceState: string | undefined,
  attributes: Attributes | undefined,
  droppedAttributesCount: number | undefined,
];

/** Instrumentation scope as data; a batch lists each scope once. */
export type ScopeRecord = [name: string, version: string | undefined, schemaUrl: string | undefined];

/** What one `postMessage` carries: the spans, and the scopes they point to. */
export interface SpanBatch {
  scopes: ScopeRecord[];
  spans: SpanRecord[];
}

const NO_LINKS: LinkRecord[] = [];

/**
 * Turns an ended span into its record. `scopeIndex` gives the index of the span's scope in the
 * batch being built (the caller interns scopes by identity: tracers share one scope object).
 */
export function toSpanRecord(span: ReadableSpan, scopeIndex: (scope: InstrumentationScope) => number): SpanRecord {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  return [
    ctx.traceId,
    ctx.spanId,
    ctx.traceFlags,
    ctx.traceState?.serialize(),
    parent
      ? [parent.spanId, parent.traceFlags, parent.isRemote, parent.traceState?.serialize(), parent.traceId]
      : undefined,
    span.name,
    span.kind,
    span.startTime,
    span.endTime,
    span.attributes,
    span.status.code,
    span.status.message,
    span.events,
    span.links.length === 0 ? NO_LINKS : span.links.map(toLinkRecord),
    span.droppedAttributesCount,
    span.droppedEventsCount,
    span.droppedLinksCount,
    scopeIndex(span.instrumentationScope),
  ];
}

function toLinkRecord(link: Link): LinkRecord {
  const c = link.context;
  return [
    c.traceId,
    c.spanId,
    c.traceFlags,
    c.isRemote,
    c.traceState?.serialize(),
    link.attributes,
    link.droppedAttributesCount,
  ];
}

export function toScopeRecord(scope: InstrumentationScope): ScopeRecord {
  return [scope.name, scope.version, scope.schemaUrl];
}

/** The records of one batch, each scope listed once (tracers share one scope object). */
export function toSpanBatch(spans: readonly ReadableSpan[]): SpanBatch {
  const scopes: ScopeRecord[] = [];
  const indexes = new Map<InstrumentationScope, number>();
  const scopeIndex = (scope: InstrumentationScope): number => {
    let index = indexes.get(scope);
    if (index === undefined) {
      index = scopes.push(toScopeRecord(scope)) - 1;
      indexes.set(scope, index);
    }
    return index;
  };
  return { scopes, spans: spans.map((s) => toSpanRecord(s, scopeIndex)) };
}

/** A resource as data, for the worker (spans do not carry it across). */
export interface ResourceRecord {
  attributes: Record<string, unknown>;
  schemaUrl: string | undefined;
}

/**
 * The attributes of `resource` that have settled. Read through the raw list while some are
 * still pending (at exit, right after start), where the SDK's `attributes` getter would log
 * an error; the first value of a key wins, as in the SDK's resource.
 */
export function toResourceRecord(resource: Resource): ResourceRecord {
  if (!resource.asyncAttributesPending)
    return { attributes: { ...resource.attributes }, schemaUrl: resource.schemaUrl };
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of resource.getRawAttributes()) {
    if (
      Object.hasOwn(attributes, key) ||
      value === undefined ||
      typeof (value as PromiseLike<unknown>)?.then === 'function'
    )
      continue;
    attributes[key] = value;
  }
  return { attributes, schemaUrl: resource.schemaUrl };
}
