import { context, diag, DiagConsoleLogger, propagation, trace } from '@opentelemetry/api';
import {
  loadTracingConfig,
  maskUrlSecrets,
  schemaKeys,
  summarizeTracingConfig,
  type LoadedTracingConfig,
  type ResolvedTracingConfig,
} from '@tracepack/config';
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
 * the provider's, parent-based), the provider's exporter behind tracepack's bounded batch
 * processor (optionally exporting from a worker thread, see WorkerSpanProcessor), the composite
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
    stats: () => ({ ended: 0, exported: 0, failed: 0, dropped: 0, droppedAtShutdown: 0, queued: 0, exporting: 0 }),
  };
}

/** The exporter's span processor, as start-up drives it. */
interface Exporting {
  processor: SpanProcessor;
  stats(): TracingStats;
  /** For the 'exit' event (see BoundedBatchSpanProcessor.exportAtExit). */
  exportAtExit(): void;
  /** Ends the accounting and writes the loss report, once. */
  finishNow(): void;
}

function start(loaded: LoadedTracingConfig, options: StartTracingOptions, level: LogLevelName): TracingHandle {
  const { config, sources } = loaded;
  // Loaded here, not at the top: with tracing off none of the SDK is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { SimpleSpanProcessor, TracerProvider } =
    require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { suppressTracing } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resolveProvider } = require('./providers') as typeof import('./providers');
  const { ReportingExporter } = require('./reporting-exporter') as typeof import('./reporting-exporter');
  const { BoundedBatchSpanProcessor } = require('./batch-processor') as typeof import('./batch-processor');
  const { TracepackPropagator } = require('./propagation') as typeof import('./propagation');
  const { buildResource } = require('./resource') as typeof import('./resource');
  const { buildInstrumentations } = require('./instrumentations') as typeof import('./instrumentations');
  const { ExitThreadSender, WorkerSpanProcessor } = require('./worker-export') as typeof import('./worker-export');
  const { buildSampler } = require('./sampler') as typeof import('./sampler');
  /* eslint-enable @typescript-eslint/no-require-imports */

  reportWarnings(loaded.warnings, level);
  // The 3.x SDK leaves the globals to the caller (no `register()`): context manager first,
  // so that the samplers, the propagator and the tracer provider see a working context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Built in a context where tracing is suppressed: the timers a sampler starts (Jaeger remote
  // sampling polls its server) keep that context, so the tracer's own requests never become
  // spans of the service (a `GET` CLIENT span every refresh interval, otherwise).
  const { setup, sampling } = context.with(suppressTracing(context.active()), () => {
    const setup = resolveProvider(config);
    return { setup, sampling: buildSampler(config, setup.sampler, sources.get('tracing.sampler.type')) };
  });
  const resource = buildResource(config);
  const target = describeTarget(config);
  const exporting = config.provider === 'console' ? printing() : batching(exportThreadWanted());
  const provider = new TracerProvider({
    resource,
    sampler: sampling.sampler,
    spanProcessors: [exporting.processor, ...(options.spanProcessors ?? [])],
  });
  propagation.setGlobalPropagator(new TracepackPropagator(config.propagators));
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    instrumentations: buildInstrumentations(config),
    tracerProvider: provider,
  });

  /** `console`: each span to the waterfall printer as it ends (it prints a trace when its root ends). */
  function printing(): Exporting {
    const exporter = new ReportingExporter(setup.exporter, target);
    return {
      processor: new SimpleSpanProcessor({ exporter }),
      stats: () => {
        const { exported, failed } = exporter.stats;
        return {
          ended: exported + failed,
          exported,
          failed,
          dropped: 0,
          droppedAtShutdown: 0,
          queued: 0,
          exporting: 0,
        };
      },
      exportAtExit: () => {},
      finishNow: () => {},
    };
  }

  /**
   * The other providers: a bounded queue, exported in batches (see BoundedBatchSpanProcessor),
   * on this thread by default, or from a worker thread (see WorkerSpanProcessor), which then
   * builds the provider's exporter itself from `config`. The settings are the config's; the
   * defaults are small, frequent batches (256 spans every 200 ms): encoding 512 spans at
   * once held the event loop long enough to triple the hello route's p99 (bench/README.md).
   */
  function batching(inWorker: boolean): Exporting {
    const settings = {
      target,
      resource,
      maxQueueSize: config.max_queue_size,
      maxExportBatchSize: config.max_export_batch_size,
      scheduledDelayMillis: config.schedule_delay_ms,
      exportTimeoutMillis: config.export_timeout_ms,
      flushTimeoutMillis: config.flush_timeout_ms,
    };
    const workerData = { tracepackExportWorker: true as const, config, target, logLevel: workerLevel(level) };
    let processor: InstanceType<typeof BoundedBatchSpanProcessor>;
    if (inWorker) {
      // This thread only needs the provider's sampler; its copy of the exporter is never used.
      void setup.exporter.shutdown().catch(() => {});
      processor = new WorkerSpanProcessor({ config, logLevel: workerData.logLevel, ...settings });
    } else {
      // The exit sender starts a worker only if the process calls exit() with spans queued.
      processor = new BoundedBatchSpanProcessor({
        exporter: setup.exporter,
        exitSender: new ExitThreadSender(workerData),
        ...settings,
      });
    }
    return {
      processor,
      stats: () => processor.stats(),
      exportAtExit: () => processor.exportAtExit(),
      finishNow: () => processor.finishNow(),
    };
  }

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      hooks?.removeSignalHooks();
      unregister();
      try {
        // The exporter's processor bounds itself by flush_timeout_ms and writes the loss
        // report when its flush is over or its bound has run out; the rest (other span
        // processors, the sampler's poller) gets the same bound.
        await Promise.all([
          exporting.processor.shutdown(),
          withTimeout(
            Promise.allSettled([provider.shutdown(), setup.shutdown?.(), sampling.shutdown?.()]).then(() => {}),
            config.flush_timeout_ms,
          ),
        ]);
      } finally {
        exporting.finishNow();
        hooks?.removeAll();
        trace.disable();
        propagation.disable();
        context.disable();
        if (current === handle) current = undefined;
      }
    })();
    return shutdownPromise;
  };
  const hooks =
    options.handleSignals === false
      ? undefined
      : installExitHooks({
          shutdown,
          exportAtExit: () => exporting.exportAtExit(),
          finishNow: () => exporting.finishNow(),
          flushTimeoutMs: config.flush_timeout_ms,
        });
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

function installLogger(level: LogLevelName): void {
  if (level === 'none') return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: DIAG_LEVELS[level], suppressOverrideMessage: true });
}

/** Where spans go, as reports name it: URL passwords and query values (tokens) masked. */
function describeTarget(config: ResolvedTracingConfig): string {
  return maskUrlSecrets(rawTarget(config));
}

function rawTarget(config: ResolvedTracingConfig): string {
  switch (config.provider) {
    case 'jaeger':
      return (
        config.providers.jaeger.collector_endpoint ?? `jaeger agent ${config.providers.jaeger.local_agent_address}`
      );
    case 'zipkin':
      return config.providers.zipkin.server_url;
    case 'otlp':
      return config.providers.otlp.traces_endpoint ?? config.providers.otlp.server_url;
    default:
      return 'the console';
  }
}
