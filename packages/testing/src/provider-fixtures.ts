// Fixtures shared by the provider tests: a real tracer provider around a provider's exporter
// and sampler, and one small trace to send.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  TracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Sampler } from '@opentelemetry/sdk-trace';

export const SERVICE = 'checkout';

/** What a provider package returns (the shape of @tracepack/config's TracingProviderSetup). */
export interface ProviderSetupLike {
  exporter: SpanExporter;
  sampler?: Sampler;
}

/**
 * A tracer provider wired like `@tracepack/node` wires a provider (parent-based sampler around
 * the provider's, batch processor), exporting to `exporter` (default: the provider's).
 */
export function tracerProviderFor(setup: ProviderSetupLike, exporter: SpanExporter = setup.exporter): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE, 'service.version': '1.2.3' }),
    sampler: setup.sampler ? new ParentBasedSampler({ root: setup.sampler }) : undefined,
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 10 })],
  });
}

export interface SampleTrace {
  traceId: string;
  rootId: string;
  childId: string;
}

/**
 * A SERVER span `POST /login` (status ERROR) with a child INTERNAL `bcrypt.compare` span
 * carrying `bcrypt.work_factor` 10 and an event.
 */
export function recordSampleTrace(provider: TracerProvider): SampleTrace {
  const tracer = provider.getTracer('tracepack-test', '0.0.1');
  const root = tracer.startSpan('POST /login', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'POST',
      'url.path': '/login',
      'url.scheme': 'http',
      'http.route': '/login',
      'http.response.status_code': 500,
      'server.port': 8080,
      'tracepack.test.ratio': 0.25,
      'tracepack.test.flag': true,
      'tracepack.test.list': ['a', 'b'],
    },
  });
  const child = tracer.startSpan(
    'bcrypt.compare',
    { kind: SpanKind.INTERNAL, attributes: { 'bcrypt.work_factor': 10 } },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.addEvent('bcrypt.hashed', { 'bcrypt.rounds': 1024 });
  child.end();
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'Internal Server Error' });
  root.end();
  return {
    traceId: root.spanContext().traceId,
    rootId: root.spanContext().spanId,
    childId: child.spanContext().spanId,
  };
}

/** The sample trace as finished spans, to hand to an exporter directly. */
export function sampleSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  recordSampleTrace(provider);
  return memory.getFinishedSpans();
}

/** Calls `exporter.export` and reports its result and how long it took. */
export function exportOnce(
  exporter: SpanExporter,
  spans: ReadableSpan[],
): Promise<{ result: ExportResult; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) =>
    exporter.export(spans, (result) => resolve({ result, ms: performance.now() - started })),
  );
}

/** JSON of anything the receiver decoded (bigint and bytes included), for "never in a span" checks. */
export function dump(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
