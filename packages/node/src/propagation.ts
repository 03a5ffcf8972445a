import { diag, trace, TraceFlags, type Context, type SpanContext, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from './jaeger-propagator';
import type { ResolvedTracingConfig } from '@tracepack/config';

type PropagatorName = ResolvedTracingConfig['propagators'][number];

/**
 * The joined span context as every format can write it on: lower-case ids (B3 readers accept
 * `4BF9...`, which a W3C reader downstream refuses) and only the flag bits that are defined
 * (core's W3C propagator writes `-010` for an incoming `-10`, which the next reader refuses).
 */
function normalized(ctx: Context, sc: SpanContext): Context {
  const flags = sc.traceFlags & TraceFlags.SAMPLED;
  const traceId = sc.traceId.toLowerCase();
  const spanId = sc.spanId.toLowerCase();
  if (flags === sc.traceFlags && traceId === sc.traceId && spanId === sc.spanId) return ctx;
  return trace.setSpanContext(ctx, { ...sc, traceId, spanId, traceFlags: flags });
}

function build(name: PropagatorName): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'jaeger':
      return new JaegerPropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  }
}

/**
 * Reads every format we support (Jaeger `uber-trace-id`, B3 single and multi, W3C
 * tracecontext + baggage: when several are present, W3C wins), writes only the configured
 * ones. OpenTelemetry's CompositePropagator reads and writes the same list, hence this
 * small class. Extraction never throws: a broken header leaves the context as it was, so
 * the request starts a new trace.
 */
export class TracepackPropagator implements TextMapPropagator {
  private readonly readers: TextMapPropagator[];
  private readonly writers: TextMapPropagator[];
  private readonly allFields: string[];
  private reported = false;

  constructor(write: readonly PropagatorName[]) {
    // B3Propagator reads both single and multi headers whatever its inject encoding.
    this.readers = [build('jaeger'), build('b3'), build('tracecontext'), build('baggage')];
    this.writers = write.map(build);
    this.allFields = [...new Set(this.writers.flatMap((p) => p.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const p of this.writers) {
      try {
        p.inject(context, carrier, setter);
      } catch (err) {
        this.report('inject', err);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    for (const p of this.readers) {
      try {
        ctx = p.extract(ctx, carrier, getter);
      } catch (err) {
        this.report('extract', err);
      }
    }
    const joined = trace.getSpanContext(ctx);
    return joined === undefined || joined === trace.getSpanContext(context) ? ctx : normalized(ctx, joined);
  }

  fields(): string[] {
    return this.allFields;
  }

  private report(what: string, err: unknown): void {
    if (this.reported) return;
    this.reported = true;
    diag.warn(`@tracepack/node: a trace header could not be ${what}ed (${(err as Error)?.name ?? 'error'}); the request starts a new trace. Reported once.`);
  }
}
