/**
 * Variant (b): plain OpenTelemetry, set up the way its Node.js docs show: TracerProvider
 * with a BatchSpanProcessor (default settings) and the OTLP http/protobuf exporter, the http
 * instrumentation, and the pg instrumentation for the database route (what the docs'
 * auto-instrumentations would load there). OpenTelemetry has no bcrypt instrumentation.
 * A span counter beside the exporter counts the spans created.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { runServerChild } from './child';
import { registerGlobally } from './otel-globals';
import { SpanCounter } from './span-counter';

const counter = new SpanCounter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench-otel' }),
  spanProcessors: [
    new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${process.env.BENCH_OTLP_URL}/v1/traces` }) }),
    counter,
  ],
});
registerGlobally(provider);
const instrumentations: Instrumentation[] = [new HttpInstrumentation()];
if (process.env.BENCH_SCENARIO === 'db') instrumentations.push(new PgInstrumentation());
registerInstrumentations({ instrumentations });

runServerChild({
  flush: () => provider.forceFlush(),
  spans: () => ({ created: counter.ended }),
  shutdown: () => provider.shutdown(),
});
