import { context, diag, DiagConsoleLogger, propagation, trace } from '@opentelemetry/api';
import { loadTracingConfig, schemaKeys, type ResolvedTracingConfig } from '@tracepack/config';
import { DIAG_LEVELS } from './diag-levels';
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
 * variables, file, defaults), refuses a bad one with every error at once, then builds the
 * tracer provider: resource, the provider's exporter and sampler (parent-based), a bounded
 * batch processor (optionally exporting from a worker thread, see WorkerSpanProcessor), the
 * composite propagator and the instrumentations.
 */
export function startTracing(input: StartTracingInput = {}): TracingHandle {
  const options = normalize(input);
  const { config, enabled } = loadTracingConfig(options);
  if (current) {
    diag.warn('@tracepack/node: startTracing was called again; the first tracer stays in place.');
    return current;
  }
  if (!enabled) return disabledHandle(config);
  current = start(config, options);
  return current;
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

function start(config: ResolvedTracingConfig, options: StartTracingOptions): TracingHandle {
  // Loaded here, not at the top: with tracing off none of the SDK is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { BatchSpanProcessor, ParentBasedSampler, AlwaysOnSampler, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { resolveProvider } = require('./providers') as typeof import('./providers');
  const { ReportingExporter } = require('./reporting-exporter') as typeof import('./reporting-exporter');
  const { TracepackPropagator } = require('./propagation') as typeof import('./propagation');
  const { buildResource } = require('./resource') as typeof import('./resource');
  const { buildInstrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  const { WorkerSpanProcessor } = require('./worker-export') as typeof import('./worker-export');
  /* eslint-enable @typescript-eslint/no-require-imports */

  installLogger(options.logLevel ?? 'warn');
  const setup = resolveProvider(config);
  const resource = buildResource(config);
  const target = describeTarget(config);
  const exporting = config.provider === 'console' ? inThread('simple') : exportThreadWanted() ? inWorker() : inThread('batch');
  const provider = new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: setup.sampler ?? new AlwaysOnSampler() }),
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
            // Small, frequent batches: encoding 512 spans at once held the event loop long
            // enough to triple the hello route's p99 (bench: 7.9 ms -> 4.8 ms at 256 / 200 ms).
            maxExportBatchSize: Math.min(256, config.max_queue_size),
            scheduledDelayMillis: 200,
            exportTimeoutMillis: 10_000,
          });
    const dropped = countQueueDrops(processor);
    return { processor, stats: () => ({ ...exporter.stats, dropped: dropped() }) };
  }

  /** Serialization and export in a worker thread, which builds its own exporter from `config`. */
  function inWorker(): { processor: SpanProcessor; stats: () => TracingStats } {
    // This thread only needs the provider's sampler; its copy of the exporter is never used.
    void setup.exporter.shutdown().catch(() => {});
    const level = options.logLevel === undefined || options.logLevel === 'none' ? 'warn' : options.logLevel;
    const processor = new WorkerSpanProcessor({ config, resource, target, logLevel: level });
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

function installLogger(level: NonNullable<StartTracingOptions['logLevel']>): void {
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
      return config.providers.otlp.server_url;
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
