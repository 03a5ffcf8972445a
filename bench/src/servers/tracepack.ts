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
