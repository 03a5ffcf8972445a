import { context, diag, DiagConsoleLogger, propagation, trace } from '@opentelemetry/api';
import { loadTracingConfig, schemaKeys, summarizeTracingConfig, type LoadedTracingConfig, type ResolvedTracingConfig } from '@tracepack/config';
import { DIAG_LEVELS, workerLevel, type LogLevelName } from './diag-levels';
import { installExitHooks } from './lifecycle';
import { withTimeout } from './timeout';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { StartTracingInput, StartTracingOptions, TracingHandle, TracingStats } from './types';

/** The keys of a `tracing:` block (the schema's top level), to tell a bare config from options. */
let topLevelKeys: ReadonlySet<string> | undefined;

let current: TracingHandle | undefined;

/**
 * Starts tracing: call it first thing, before the libraries it instruments are loaded
 * (or use `node --import @tracepack/node/register`). Reads the config (code, flags,
 * variables, file, defaults), refuses a bad one with every error at once (a bad OTEL_*
 * variable is only warned about, once, as the OpenTelemetry spec asks), then builds the
 * tracer provider: resource (detected, see buildResource), the sampler (`tracing.sampler`, else
 * the provider's, parent-based), the provider's exporter behind a bounded batch processor
 * (optionally exporting from a worker thread, see WorkerSpanProcessor), the composite
 * propagator and the instrumentations.
 */
export function startTracing(input: StartTracingInput = {}): TracingHandle {
  const options = normalize(input);
  const loaded = loadTracingConfig(options);
  if (current) {
    diag.warn('@tracepack/node: startTracing was called again; the first tracer stays in place.');
    return current;
  }
  const level = options.logLevel ?? loaded.config.log_level ?? 'warn';
  if (!loaded.enabled) {
    // Off costs nothing: no logger either, unless a variable needs a word (OTEL_TRACES_EXPORTER=bogus).
    if (loaded.warnings.length > 0) reportWarnings(loaded.warnings, level);
    return disabledHandle(loaded.config);
  }
  current = start(loaded, options, level);
  return current;
}

/** Each refused or partly used OTEL_* variable, once per start (they cannot stop the service). */
function reportWarnings(warnings: readonly string[], level: LogLevelName): void {
  installLogger(level);
  for (const w of warnings) diag.warn(`@tracepack/node: ${w}`);
}

function normalize(input: StartTracingInput): StartTracingOptions {
  const keys = Object.keys(input);
  topLevelKeys ??= new Set(schemaKeys().map((k) => k.path[0]!));
  if (keys.length > 0 && keys.every((k) => topLevelKeys!.has(k))) return { config: input as Record<string, unknown> };
  return input as StartTracingOptions;
}

function disabledHandle(config: ResolvedTracingConfig): TracingHandle {
  return {
    enabled: false,
    config,
    forceFlush: async () => {},
    shutdown: async () => {},
    stats: () => ({ exported: 0, failed: 0, dropped: 0 }),
  };
}

function start(loaded: LoadedTracingConfig, options: StartTracingOptions, level: LogLevelName): TracingHandle {
  const { config, sources } = loaded;
  // Loaded here, not at the top: with tracing off none of the SDK is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { resolveProvider } = require('./providers') as typeof import('./providers');
  const { ReportingExporter } = require('./reporting-exporter') as typeof import('./reporting-exporter');
  const { TracepackPropagator } = require('./propagation') as typeof import('./propagation');
  const { buildResource } = require('./resource') as typeof import('./resource');
  const { buildInstrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  const { WorkerSpanProcessor } = require('./worker-export') as typeof import('./worker-export');
  const { buildSampler } = require('./sampler') as typeof import('./sampler');
  /* eslint-enable @typescript-eslint/no-require-imports */

  reportWarnings(loaded.warnings, level);
  const setup = resolveProvider(config);
  const sampling = buildSampler(config, setup.sampler, sources.get('tracing.sampler.type'));
  const resource = buildResource(config);
  const target = describeTarget(config);
  const exporting = config.provider === 'console' ? inThread('simple') : exportThreadWanted() ? inWorker() : inThread('batch');
  const provider = new TracerProvider({
    resource,
    sampler: sampling.sampler,
    spanProcessors: [exporting.processor, ...(options.spanProcessors ?? [])],
  });
  // The 3.x SDK leaves the globals to the caller (no `register()`): context manager first,
  // so that the propagator and the tracer provider see a working context from the start.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new TracepackPropagator(config.propagators));
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({ instrumentations: buildInstrumentations(config), tracerProvider: provider });

  /** The default: the provider's exporter on this thread, behind a bounded batch processor. */
  function inThread(kind: 'simple' | 'batch'): { processor: SpanProcessor; stats: () => TracingStats } {
    const exporter = new ReportingExporter(setup.exporter, target);
    const processor =
      kind === 'simple'
        ? new SimpleSpanProcessor({ exporter })
        : new BatchSpanProcessor({
            exporter,
            maxQueueSize: config.max_queue_size,
            // The defaults are small, frequent batches (256 spans every 200 ms): encoding 512
            // spans at once held the event loop long enough to triple the hello route's p99
            // (bench/README.md). OTEL_BSP_* change them like the config keys do.
            maxExportBatchSize: Math.min(config.max_export_batch_size, config.max_queue_size),
            scheduledDelayMillis: config.schedule_delay_ms,
            exportTimeoutMillis: config.export_timeout_ms,
          });
    const dropped = countQueueDrops(processor);
    return { processor, stats: () => ({ ...exporter.stats, dropped: dropped() }) };
  }

  /** Serialization and export in a worker thread, which builds its own exporter from `config`. */
  function inWorker(): { processor: SpanProcessor; stats: () => TracingStats } {
    // This thread only needs the provider's sampler; its copy of the exporter is never used.
    void setup.exporter.shutdown().catch(() => {});
    // The worker keeps its own batching defaults (bench/README.md) unless a key was set.
    const set = (key: string): boolean => sources.has(`tracing.${key}`);
    const processor = new WorkerSpanProcessor({
      config,
      resource,
      target,
      logLevel: workerLevel(level),
      ...(set('max_export_batch_size') ? { maxExportBatchSize: config.max_export_batch_size } : {}),
      ...(set('schedule_delay_ms') ? { scheduledDelayMillis: config.schedule_delay_ms } : {}),
      ...(set('export_timeout_ms') ? { exportTimeoutMillis: config.export_timeout_ms } : {}),
    });
    return { processor, stats: () => processor.stats() };
  }

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      removeHooks?.();
      unregister();
      try {
        await withTimeout(provider.shutdown(), config.flush_timeout_ms);
        await setup.shutdown?.();
        await sampling.shutdown?.();
      } finally {
        reportLosses(handle.stats(), target);
        trace.disable();
        propagation.disable();
        context.disable();
        if (current === handle) current = undefined;
      }
    })();
    return shutdownPromise;
  };
  const removeHooks = options.handleSignals === false ? undefined : installExitHooks(shutdown, config.flush_timeout_ms);
  diag.debug(`@tracepack/node: tracing started: ${summarizeTracingConfig(config)}`);
  const handle: TracingHandle = {
    enabled: true,
    config,
    forceFlush: () => withTimeout(provider.forceFlush(), config.flush_timeout_ms),
    shutdown,
    stats: exporting.stats,
  };
  return handle;
}

/**
 * Export from a worker thread only when asked (`TRACEPACK_EXPORT_THREAD=1`): on the 2-core
 * machines we measure on, the worker cost more CPU per request than it saved (bench/README.md).
 */
function exportThreadWanted(): boolean {
  const v = process.env.TRACEPACK_EXPORT_THREAD?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'on';
}

/** One line at shutdown when anything was lost, so drops are never silent. */
function reportLosses(stats: TracingStats, target: string): void {
  if (stats.failed + stats.dropped === 0) return;
  diag.warn(
    `@tracepack/node: ${stats.failed + stats.dropped} spans were not delivered to ${target} ` +
      `(${stats.dropped} dropped with the queue full, ${stats.failed} in failed exports); ${stats.exported} were.`,
  );
}

function installLogger(level: LogLevelName): void {
  if (level === 'none') return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: DIAG_LEVELS[level], suppressOverrideMessage: true });
}

function describeTarget(config: ResolvedTracingConfig): string {
  switch (config.provider) {
    case 'jaeger':
      return config.providers.jaeger.collector_endpoint ?? `jaeger agent ${config.providers.jaeger.local_agent_address}`;
    case 'zipkin':
      return config.providers.zipkin.server_url;
    case 'otlp':
      return config.providers.otlp.traces_endpoint ?? config.providers.otlp.server_url;
    default:
      return 'the console';
  }
}

/**
 * The batch processor counts spans it drops when its queue is full but keeps the count
 * private; we read it through a small wrap of its buffer method so `stats()` can report it.
 */
function countQueueDrops(processor: object): () => number {
  let dropped = 0;
  const p = processor as { _addToBuffer?: (span: unknown) => void; _finishedSpans?: unknown[]; _maxQueueSize?: number };
  const original = p._addToBuffer;
  if (typeof original === 'function' && Array.isArray(p._finishedSpans) && typeof p._maxQueueSize === 'number') {
    p._addToBuffer = function (this: typeof p, span: unknown) {
      if (this._finishedSpans!.length >= this._maxQueueSize!) dropped++;
      original.call(this, span);
    };
  }
  return () => dropped;
}
