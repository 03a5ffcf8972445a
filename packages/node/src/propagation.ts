import {
  defaultTextMapGetter,
  diag,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
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
  private readonly _jaeger: TextMapPropagator;
  private readonly _b3: TextMapPropagator;
  private readonly _tracecontext: TextMapPropagator;
  private readonly _baggage: TextMapPropagator;
  private readonly _writers: TextMapPropagator[];
  private readonly _allFields: string[];
  private _reported = false;

  constructor(write: readonly PropagatorName[]) {
    // B3Propagator reads both single and multi headers whatever its inject encoding.
    this._jaeger = build('jaeger');
    this._b3 = build('b3');
    this._tracecontext = build('tracecontext');
    this._baggage = build('baggage');
    this._writers = write.map(build);
    this._allFields = [...new Set(this._writers.flatMap((p) => p.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const p of this._writers) {
      try {
        p.inject(context, carrier, setter);
      } catch (err) {
        this._report('inject', err);
      }
    }
  }

  /**
   * Each format is parsed only when its header is there: most requests carry none (a new trace
   * starts, and at a low sampling ratio is not recorded), and each reader would otherwise look
   * up its headers one by one (B3 multi reads five) and Jaeger's would list every header name
   * to find `uberctx-` baggage. A reader whose key header is absent returns the context it was
   * given, so skipping it changes nothing. Order as before: Jaeger, B3, W3C (wins), baggage.
   */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    ctx = this._read(this._jaeger, hasJaeger, ctx, carrier, getter);
    ctx = this._read(this._b3, hasB3, ctx, carrier, getter);
    ctx = this._read(this._tracecontext, hasTraceparent, ctx, carrier, getter);
    ctx = this._read(this._baggage, hasBaggage, ctx, carrier, getter);
    if (ctx === context) return context;
    const joined = trace.getSpanContext(ctx);
    return joined === undefined || joined === trace.getSpanContext(context) ? ctx : normalized(ctx, joined);
  }

  fields(): string[] {
    return this._allFields;
  }

  /** `reader`'s context when `has` finds its headers; a getter that throws is reported like a parse error. */
  private _read(
    reader: TextMapPropagator,
    has: HeaderCheck,
    ctx: Context,
    carrier: unknown,
    getter: TextMapGetter,
  ): Context {
    try {
      return has(carrier, getter) ? reader.extract(ctx, carrier, getter) : ctx;
    } catch (err) {
      this._report('extract', err);
      return ctx;
    }
  }

  private _report(what: string, err: unknown): void {
    if (this._reported) return;
    this._reported = true;
    diag.warn(
      `@tracepack/node: a trace header could not be ${what}ed (${(err as Error)?.name ?? 'error'}); the request starts a new trace. Reported once.`,
    );
  }
}

const JAEGER_TRACE_HEADER = 'uber-trace-id';
const JAEGER_BAGGAGE_PREFIX = 'uberctx-';

type HeaderCheck = (carrier: unknown, getter: TextMapGetter) => boolean;

// Plain functions (no closure per request): the headers without which each reader reads nothing.
const hasJaeger: HeaderCheck = (c, g) =>
  present(c, g, JAEGER_TRACE_HEADER) || hasKeyWithPrefix(c, g, JAEGER_BAGGAGE_PREFIX);
const hasB3: HeaderCheck = (c, g) => present(c, g, 'b3') || present(c, g, 'x-b3-traceid');
const hasTraceparent: HeaderCheck = (c, g) => present(c, g, 'traceparent');
const hasBaggage: HeaderCheck = (c, g) => present(c, g, 'baggage');

/** Whether the carrier has `key` (what every reader checks first: absent or empty means nothing to read). */
function present(carrier: unknown, getter: TextMapGetter, key: string): boolean {
  const value = getter.get(carrier, key);
  return value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
}

/**
 * Whether a key of the carrier starts with `prefix`. For the API's default getter (a plain
 * object such as node's `req.headers`, whose keys it lists with `Object.keys`) a `for...in`
 * walks the same own keys without building an array on every request.
 */
function hasKeyWithPrefix(carrier: unknown, getter: TextMapGetter, prefix: string): boolean {
  if (getter === defaultTextMapGetter && carrier !== null && typeof carrier === 'object') {
    for (const key in carrier)
      if (key.startsWith(prefix) && Object.prototype.hasOwnProperty.call(carrier, key)) return true;
    return false;
  }
  for (const key of getter.keys(carrier)) if (key.startsWith(prefix)) return true;
  return false;
}
