/**
 * Variants (c), (d) and the dead backend: tracepack with provider otlp, protocol
 * http/protobuf, the routes of the app, and the sampling ratio from BENCH_SAMPLING_RATIO
 * (default 1), and BENCH_FLUSH_TIMEOUT_MS (default: tracepack's). The config is given in code only (no environment or file layers), so a
 * stray OTEL_* or TRACING_* variable cannot change what is measured.
 */
import { startTracing } from '@tracepack/node';
import { runServerChild } from './child';
import { SpanCounter } from './span-counter';
import { ROUTES } from './routes';
import { replaceExporterWithNull } from './null-exporter';

// (t): the export thread, as a service turns it on.
if (process.env.BENCH_EXPORT_THREAD === '1') process.env.TRACEPACK_EXPORT_THREAD = '1';
// (r): every span recorded, ended and queued as in (c), the batches handed to an exporter
// that answers at once: (c) minus (r) is what serializing and sending cost.
if (process.env.BENCH_NO_EXPORT === '1') replaceExporterWithNull();

const counter = new SpanCounter();
const handle = startTracing({
  config: {
    provider: 'otlp',
    service_name: 'bench-tracepack',
    providers: {
      otlp: {
        server_url: process.env.BENCH_OTLP_URL,
        protocol: 'http/protobuf',
        sampling: { sampling_ratio: Number(process.env.BENCH_SAMPLING_RATIO ?? '1') },
      },
    },
    instrumentations: { http: { routes: [...ROUTES] } },
    // Bounds forceFlush/shutdown only; the dead-backend run shortens it (nothing can be flushed).
    ...(process.env.BENCH_FLUSH_TIMEOUT_MS ? { flush_timeout_ms: Number(process.env.BENCH_FLUSH_TIMEOUT_MS) } : {}),
    // Experiments (profile.ts --config): top-level settings such as max_export_batch_size.
    ...(process.env.BENCH_TRACEPACK_CONFIG
      ? (JSON.parse(process.env.BENCH_TRACEPACK_CONFIG) as Record<string, unknown>)
      : {}),
  },
  env: {},
  argv: [],
  logLevel: 'error',
  handleSignals: false,
  spanProcessors: [counter],
});

runServerChild({
  flush: () => handle.forceFlush(),
  spans: () => ({ created: counter.ended, ...handle.stats() }),
  shutdown: () => handle.shutdown(),
});
