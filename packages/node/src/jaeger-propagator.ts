import {
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Baggage,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

/**
 * Jaeger's `uber-trace-id` (`{trace-id}:{span-id}:{parent-span-id}:{flags}`) and
 * `uberctx-{key}` baggage headers.
 *
 * Written here because `@opentelemetry/propagator-jaeger` has no 3.x release: its last one
 * pins `@opentelemetry/core` 2.x and an API peer range below 1.10, which would put a second
 * copy of core beside the 3.x SDK. The format is small and frozen (Jaeger clients are
 * retired), so owning it costs little.
 */
export class JaegerPropagator implements TextMapPropagator {
  static readonly TRACE_HEADER = 'uber-trace-id';
  static readonly BAGGAGE_PREFIX = 'uberctx-';

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    // Like OpenTelemetry's own propagators: nothing on requests made with tracing suppressed
    // (the exporters' own requests to the backend, which may run inside a traced request's
    // context: its baggage must not travel to the tracing backend).
    if (isTracingSuppressed(context)) return;
    const spanContext = trace.getSpanContext(context);
    if (spanContext && isSpanContextValid(spanContext)) {
      const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16);
      setter.set(carrier, JaegerPropagator.TRACE_HEADER, `${spanContext.traceId}:${spanContext.spanId}:0:${flags}`);
    }
    const baggage = propagation.getBaggage(context);
    for (const [key, entry] of baggage?.getAllEntries() ?? []) {
      // A baggage key is any string; a header name is not: `uberctx-(` would make node:http
      // throw ERR_INVALID_HTTP_TOKEN into the application's outgoing request. Such keys stay
      // in W3C `baggage`, which encodes them.
      if (!HTTP_TOKEN.test(key)) continue;
      setter.set(carrier, `${JaegerPropagator.BAGGAGE_PREFIX}${key}`, encodeURIComponent(entry.value));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    const spanContext = parseTraceHeader(first(getter.get(carrier, JaegerPropagator.TRACE_HEADER)));
    if (spanContext) ctx = trace.setSpanContext(ctx, spanContext);

    let baggage: Baggage | undefined;
    for (const key of getter.keys(carrier)) {
      if (!key.startsWith(JaegerPropagator.BAGGAGE_PREFIX)) continue;
      const value = decode(first(getter.get(carrier, key)));
      if (value === undefined) continue;
      baggage ??= propagation.getBaggage(ctx) ?? propagation.createBaggage();
      baggage = baggage.setEntry(key.slice(JaegerPropagator.BAGGAGE_PREFIX.length), { value });
    }
    return baggage ? propagation.setBaggage(ctx, baggage) : ctx;
  }

  fields(): string[] {
    return [JaegerPropagator.TRACE_HEADER];
  }
}

const HEX = /^[0-9a-f]{1,32}$/i;
/** RFC 9110 `token`: what node:http accepts as a header name. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A valid remote span context from `uber-trace-id`, or undefined for anything else. */
export function parseTraceHeader(raw: string | undefined): SpanContext | undefined {
  const value = decode(raw);
  if (value === undefined || value.length > 128) return undefined;
  const parts = value.split(':');
  if (parts.length !== 4) return undefined;
  const [traceId, spanId, , flags] = parts as [string, string, string, string];
  if (
    !HEX.test(traceId) ||
    traceId.length > 32 ||
    !HEX.test(spanId) ||
    spanId.length > 16 ||
    !/^[0-9a-f]{1,2}$/i.test(flags)
  ) {
    return undefined;
  }
  const context: SpanContext = {
    traceId: traceId.toLowerCase().padStart(32, '0'),
    spanId: spanId.toLowerCase().padStart(16, '0'),
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Jaeger clients URL-encode the header (`%3A` for `:`); a malformed escape means no value. */
function decode(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
